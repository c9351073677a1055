#!/usr/bin/env node
/**
 * Verifications per second of the webhook signature checks, side by side in one process.
 *
 *   npm run bench:verify            (builds, then runs with the machine's Node)
 *   /path/to/node scripts/bench-verify.js     (after `npm run build`, e.g. with Node 24 as n8n runs)
 *
 * Contenders, all on the same realistic Agntix `session.ended` body (compact JSON, ~2 KB):
 *  - ours, Standard Webhooks (Svix): verifyStandardWebhook from the compiled dist/ code
 *  - svix: the `svix` package's Webhook#verify (the reference implementation)
 *  - ours, Layercode: verifyTimestampedHmac over `t.body`
 *  - bare: createHmac('sha256', keyObject) over the Svix signed content + timingSafeEqual
 *    against the already-decoded signature (the floor any verifier pays)
 *  - bare with a Buffer key: the same with the key as a Buffer (what the KeyObject cache saves)
 *
 * Each round runs every contender for ~ROUND_MS, the order rotating between rounds; the
 * report gives the median of ROUNDS rounds. Env: BENCH_ROUNDS (5), BENCH_ROUND_MS (1000).
 */
'use strict';

const { createHmac, createSecretKey, timingSafeEqual } = require('node:crypto');
const { existsSync, readFileSync } = require('node:fs');
const { cpus } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const COMPILED = join(ROOT, 'dist', 'nodes', 'VoiceAgentTrigger', 'verification', 'signatures.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS || 1000);
const WARMUP_MS = 300;
const BATCH = 256;

if (!existsSync(COMPILED)) {
	console.error(`${COMPILED} is missing: run \`npm run build\` first (or \`npm run bench:verify\`).`);
	process.exit(1);
}
const { verifyStandardWebhook, verifyTimestampedHmac } = require(COMPILED);

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs fn in batches until `ms` have passed; verifications per second. */
function measure(fn, ms) {
	const budget = BigInt(Math.round(ms * 1e6));
	const start = process.hrtime.bigint();
	let count = 0;
	let elapsed = 0n;
	let ok = true;
	do {
		for (let i = 0; i < BATCH; i++) ok = fn() && ok;
		count += BATCH;
		elapsed = process.hrtime.bigint() - start;
	} while (elapsed < budget);
	if (!ok) throw new Error('a genuine signature failed to verify during the benchmark');
	return count / (Number(elapsed) / 1e9);
}

const format = (n) => Math.round(n).toLocaleString('en-US');
const ratio = (n, base) => `${(n / base).toFixed(2)}×`;

async function main() {
	const { Webhook } = await import('svix');

	const fixture = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'agntix', 'session.ended.json'), 'utf8'));
	const body = Buffer.from(JSON.stringify(fixture));
	const tampered = Buffer.from(body);
	tampered[tampered.length >> 1] ^= 1;

	// Standard Webhooks / Svix
	const swSecret = `whsec_${Buffer.from('voice-agent-bench-signing-key-32').toString('base64')}`;
	const swKeyBytes = Buffer.from(swSecret.slice('whsec_'.length), 'base64');
	const id = 'msg_2yZwUhtgs5Ai8T9yRQJXA4ms1xo';
	const timestamp = String(Math.floor(Date.now() / 1000));
	const svix = new Webhook(swSecret);
	const svixSignature = svix.sign(id, new Date(Number(timestamp) * 1000), body);
	const svixHeaders = { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': svixSignature };
	const message = { id, timestamp, signature: svixSignature, body };
	const tolerance = { toleranceSeconds: 300 };

	// Layercode
	const lcSecret = 'layercode-bench-webhook-secret-7f3a9c';
	const lcHeader = `t=${timestamp},v1=${createHmac('sha256', lcSecret).update(`${timestamp}.`).update(body).digest('hex')}`;

	// Bare baseline: the MAC over the same Svix signed content, compared with the decoded signature.
	const keyObject = createSecretKey(swKeyBytes);
	const expected = Buffer.from(svixSignature.slice(3), 'base64');
	const bare = (key, payload) => {
		const mac = createHmac('sha256', key).update(id).update('.').update(timestamp).update('.').update(payload).digest();
		return mac.length === expected.length && timingSafeEqual(mac, expected);
	};

	const svixVerify = (payload) => {
		try {
			svix.verify(payload, svixHeaders);
			return true;
		} catch {
			return false;
		}
	};

	const contenders = [
		{ name: 'ours: Standard Webhooks (Svix)', run: (p) => verifyStandardWebhook({ ...message, body: p }, swSecret, tolerance).valid },
		{ name: 'svix: Webhook#verify', run: svixVerify },
		{ name: 'ours: Layercode (t.body)', run: (p) => verifyTimestampedHmac(lcHeader, p, lcSecret, tolerance).valid },
		{ name: 'bare: KeyObject HMAC + timingSafeEqual', run: (p) => bare(keyObject, p), baseline: true },
		{ name: 'bare: Buffer-key HMAC + timingSafeEqual', run: (p) => bare(swKeyBytes, p) },
	];

	// Every contender must accept the genuine body and refuse a tampered one, or the numbers mean nothing.
	for (const contender of contenders) {
		if (contender.run(body) !== true) throw new Error(`${contender.name} refused the genuine body`);
		if (contender.run(tampered) !== false) throw new Error(`${contender.name} accepted a tampered body`);
		contender.fn = () => contender.run(body);
		contender.rates = [];
	}

	console.log(`Node ${process.version} (${process.platform}-${process.arch}), ${cpus()[0]?.model ?? 'unknown CPU'}`);
	console.log(`Agntix session.ended body: ${body.length} bytes; ${ROUNDS} rounds × ~${ROUND_MS} ms per contender, order rotating\n`);

	for (const contender of contenders) measure(contender.fn, WARMUP_MS);
	for (let round = 0; round < ROUNDS; round++) {
		for (let i = 0; i < contenders.length; i++) {
			const contender = contenders[(i + round) % contenders.length];
			contender.rates.push(measure(contender.fn, ROUND_MS));
		}
	}

	const baseline = median(contenders.find((c) => c.baseline).rates);
	const svixRate = median(contenders.find((c) => c.name.startsWith('svix')).rates);
	const rows = contenders.map((c) => {
		const rate = median(c.rates);
		return [
			c.name,
			format(rate),
			`${format(Math.min(...c.rates))}–${format(Math.max(...c.rates))}`,
			ratio(rate, baseline),
			ratio(rate, svixRate),
		];
	});
	const header = ['contender', 'verifications/s (median)', 'min–max', 'vs bare', 'vs svix'];
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
	console.log(line(header));
	console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
	for (const row of rows) console.log(line(row));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
