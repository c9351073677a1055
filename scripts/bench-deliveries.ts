// `npm run bench:deliveries [-- --rounds 6 --per-round 60 --concurrency 10 --warmup 10 --duplicates 300
//                              --prefill 0 --env NAME=VALUE --matrix]`
//
// One n8n (regular mode, SQLite), workflows that do nothing but start:
//  - ours:  Voice Agent Trigger (Agntix, Svix-verified with the secret credential) → No Operation;
//  - ours without de-duplication: the same with De-duplicate off (no delivery id written into the
//    workflow's static data, which n8n saves with every accepted delivery): what the record costs;
//  - plain: n8n's Webhook node (POST, Respond: Immediately) → No Operation, which checks nothing.
// All receive the same signed Agntix `session.ended` delivery (test/fixtures/agntix/session.ended.json,
// a fresh svix-id each, signed now), `--concurrency` in flight, `--per-round` per round; the rounds
// rotate through the contenders (after --warmup deliveries each, discarded). Reported per contender:
// deliveries answered per second (a round's deliveries over its wall time), p50/p95 latency (just
// before fetch to the end of the answer), n8n's CPU per delivery (from the round's start until n8n
// is idle again, so the executions the round started are included), and the ratio ours / plain.
// --prefill N first has ours accept N deliveries (not measured), so that its de-duplication record
// holds what a busy trigger's does (up to 1,000 ids, the record's limit): n8n loads that record with
// every request and saves it with every accepted delivery.
// Then a duplicates phase, in alternated halves at the same concurrency: --duplicates copies of
// deliveries ours already accepted (same svix-id, re-signed, as Svix retries; every answer must be
// 200 `duplicate`, and n8n's REST must show that no execution was added), beside as many requests
// n8n's own Webhook node refuses (Header Auth, wrong key: 403, no execution): n8n's floor for a
// request that starts nothing, which no node can go below.
// --matrix runs it once on n8n's defaults and once with lazy isolate acquisition, each on its own
// fresh n8n, and ends with one table. Raw samples go to .bench/deliveries-<timestamp>.json.
// A measurement, not a test: exit 0 whatever the ratios; non-zero only if n8n cannot be started or
// a contender answers wrongly throughout.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { startN8n, type N8n } from '../test/e2e/harness';
import { chain, node, secretCredential, triggerOnly, triggerPath, type NodeJson } from '../test/e2e/workflows';
import { signStandardWebhook } from '../test/support/sign';
import { DEDUPLICATION_LIMIT } from '../nodes/VoiceAgentTrigger/deduplication';
import { runWithConcurrency } from './bench/concurrency';
import { cpuMs, cpuWhenIdle, findN8nPid, n8nVersion, otherN8nProcesses } from './bench/n8n-process';
import { describeEnv, optionOrUsage, parseCount, parseEnvPairs } from './bench/options';
import { DELIVERY_MATRIX, settingEnv, type N8nSetting } from './bench/settings';
import { ratioInterval, spread, type Spread } from './bench/statistics';

const ROOT = resolve(__dirname, '..', '..');
/** A Svix signing secret (`whsec_` + base64), as Agntix shows it. */
const SECRET = 'whsec_QmVuY2hEZWxpdmVyaWVzU2lnbmluZ0tleTA=';

// ---------------------------------------------------------------------------------------------
// Options

function usage(problem: string): never {
	console.error(`${problem}

usage: npm run bench:deliveries -- [--rounds N (6)] [--per-round N (60)] [--concurrency N (10)] [--warmup N (10)]
                                   [--duplicates N (300)] [--prefill N (0): ours' record holds N ids before measuring]
                                   [--env NAME=VALUE]…   (extra n8n environment, e.g. --env N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)
                                   [--matrix]            (n8n's defaults, then lazy acquisition, each on a fresh n8n; one table)`);
	process.exit(2);
}

const { values: args } = parseArgs({
	options: {
		rounds: { type: 'string', default: '6' },
		'per-round': { type: 'string', default: '60' },
		concurrency: { type: 'string', default: '10' },
		warmup: { type: 'string', default: '10' },
		duplicates: { type: 'string', default: '300' },
		prefill: { type: 'string', default: '0' },
		env: { type: 'string', multiple: true, default: [] },
		matrix: { type: 'boolean', default: false },
		help: { type: 'boolean', default: false },
	},
});
if (args.help) usage('Measures verified Agntix deliveries beside n8n\'s plain Webhook node.');
const option = <T>(read: () => T): T => optionOrUsage(read, usage);
const ROUNDS = option(() => parseCount('rounds', args.rounds, 3)); // at least one round per contender
const PER_ROUND = option(() => parseCount('per-round', args['per-round'], 1));
const CONCURRENCY = option(() => parseCount('concurrency', args.concurrency, 1));
const WARMUP = option(() => parseCount('warmup', args.warmup, 0));
const DUPLICATES = option(() => parseCount('duplicates', args.duplicates, 0));
const PREFILL = option(() => parseCount('prefill', args.prefill, 0));
const EXTRA_ENV = option(() => parseEnvPairs(args.env ?? []));

// ---------------------------------------------------------------------------------------------
// Workflows

type Kind = 'ours' | 'undeduplicated' | 'plain';
const KINDS: readonly Kind[] = ['ours', 'undeduplicated', 'plain'];

const PLAIN_PATH = 'bench-plain-webhook';
const OURS_WORKFLOW = triggerOnly('wfBenchDeliver1', 'bench-deliveries', { platform: 'agntix' });
const UNDEDUPLICATED_WORKFLOW = triggerOnly('wfBenchNoDedup1', 'bench-no-dedup', { platform: 'agntix', triggerOptions: { deduplicate: false } });
/** n8n's Webhook node (POST, Respond: Immediately: n8n answers once the execution exists) → No Operation. */
function plainWebhookWorkflow(id: string, path: string, extra: { parameters?: Record<string, unknown>; credentials?: NodeJson['credentials'] } = {}) {
	return chain(id, [
		{
			id: `node-${path}`,
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			position: [0, 0],
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {}, ...extra.parameters },
			...(extra.credentials ? { credentials: extra.credentials } : {}),
			webhookId: `${path}-id`,
		},
		node('Done', 'n8n-nodes-base.noOp'),
	]);
}
const PLAIN_WORKFLOW = plainWebhookWorkflow('wfBenchPlainWh1', PLAIN_PATH);
const REFUSED_PATH = 'bench-refused-webhook';
const HEADER_AUTH_CREDENTIAL = { id: 'benchHeaderAuth1', name: 'Bench header auth', type: 'httpHeaderAuth', data: { name: 'x-bench-key', value: 'the-right-key-0123456789' } };
// Refuses every request the benchmark sends (none carries x-bench-key): 403, no execution.
const REFUSED_WORKFLOW = plainWebhookWorkflow('wfBenchRefused1', REFUSED_PATH, {
	parameters: { authentication: 'headerAuth' },
	credentials: { httpHeaderAuth: { id: HEADER_AUTH_CREDENTIAL.id, name: HEADER_AUTH_CREDENTIAL.name } },
});

const CONTENDERS: Record<Kind, { label: string; workflow: { id: string }; url: (n8n: N8n) => string }> = {
	ours: {
		label: 'Voice Agent Trigger (Agntix, Svix-verified) → No Operation',
		workflow: OURS_WORKFLOW,
		url: (n8n) => n8n.webhookUrl(triggerPath('bench-deliveries')),
	},
	undeduplicated: {
		label: 'the same, De-duplicate off (no delivery id recorded in static data)',
		workflow: UNDEDUPLICATED_WORKFLOW,
		url: (n8n) => n8n.webhookUrl(triggerPath('bench-no-dedup')),
	},
	plain: {
		label: 'n8n\'s Webhook (POST, Respond: Immediately, no verification) → No Operation',
		workflow: PLAIN_WORKFLOW,
		url: (n8n) => n8n.webhookUrl(PLAIN_PATH),
	},
};

// ---------------------------------------------------------------------------------------------
// Deliveries

const BODY = JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'agntix', 'session.ended.json'), 'utf8')));

interface Sample {
	kind: Kind | 'duplicate' | 'refused';
	phase: 'warmup' | 'measure' | 'duplicates';
	round: number;
	deliveryId: string;
	/** ms from just before fetch to the end of the answer's body. */
	ms: number;
	status: number;
	/** Why the answer was not the expected one; such samples are left out of the latencies. */
	error?: string;
}

/** One delivery's answer, before it is filed as a sample. */
type Answer = Omit<Sample, 'kind' | 'phase' | 'round'>;

/** Sends one signed delivery (both contenders get the same headers) and checks the answer. */
async function deliver(url: string, deliveryId: string, expect: 'accepted' | 'started' | 'duplicate' | 'refused'): Promise<Answer> {
	const headers = signStandardWebhook(BODY, SECRET, { id: deliveryId });
	const started = performance.now();
	try {
		const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: BODY });
		const text = await response.text();
		const ms = Math.round((performance.now() - started) * 100) / 100;
		let status: unknown;
		try {
			status = (JSON.parse(text) as { status?: unknown }).status;
		} catch {
			status = undefined;
		}
		// n8n's Webhook answers {"message":"Workflow was started"}; ours {"status":"accepted"} or {"status":"duplicate",…}.
		const ok = expect === 'refused' ? response.status === 403 : response.status === 200 && (expect === 'started' || status === expect);
		return { deliveryId, ms, status: response.status, ...(ok ? {} : { error: `expected ${expect}, got ${response.status}: ${text.slice(0, 200)}` }) };
	} catch (error) {
		return { deliveryId, ms: Math.round((performance.now() - started) * 100) / 100, status: 0, error: String(error) };
	}
}

let deliveryCounter = 0;
const freshId = () => `msg_bench_${process.pid}_${++deliveryCounter}_${randomUUID().slice(0, 8)}`;

// ---------------------------------------------------------------------------------------------
// Output

const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number | null | undefined, digits = 1) => (value !== null && value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const loads = () => loadavg().map((value) => value.toFixed(2)).join(' / ');
const sleep = (delay: number) => new Promise<void>((done) => setTimeout(done, delay));

/** A batch of requests sent together, timed. */
interface Timed {
	results: Answer[];
	seconds: number;
	/** n8n's CPU from the batch's start until it was idle again; null where it could not be read. */
	cpuMs: number | null;
}

/** Batches of one contender, summed: rate over their wall time, latency of the right answers, CPU per request. */
function summary(batches: Timed[]): ContenderSummary {
	const results = batches.flatMap((batch) => batch.results);
	const ok = results.filter((result) => !result.error);
	const seconds = batches.reduce((total, batch) => total + batch.seconds, 0);
	const cpuKnown = batches.every((batch) => batch.cpuMs !== null);
	const cpu = batches.reduce((total, batch) => total + (batch.cpuMs ?? 0), 0);
	return {
		deliveries: results.length,
		errors: results.length - ok.length,
		perSecond: ok.length / seconds,
		latency: spread(ok.map((result) => result.ms)),
		cpuMsPerDelivery: cpuKnown && results.length > 0 ? cpu / results.length : null,
	};
}

interface ContenderSummary {
	deliveries: number;
	errors: number;
	/** Deliveries answered per second over the measured rounds' wall time. */
	perSecond: number;
	latency: Spread;
	cpuMsPerDelivery: number | null;
}

interface SettingResult {
	setting: N8nSetting;
	n8nVersion: string;
	n8nEnv: Record<string, string>;
	startedAt: string;
	loadavg: { atStart: number[]; atEnd: number[] };
	otherN8nProcesses: number;
	ours: ContenderSummary;
	undeduplicated: ContenderSummary;
	plain: ContenderSummary;
	throughputRatio: number;
	p50Ratio: { ratio: number; ci95: [number, number] };
	duplicates: ContenderSummary & { notDuplicate: number; executionsBefore: number; executionsAfter: number; perSecondOverPlain: number };
	/** n8n's Webhook refusing a wrong Header Auth key (403, no execution), alternated with the duplicates. */
	refused: ContenderSummary & { perSecondOverPlain: number };
	samples: Sample[];
}

// ---------------------------------------------------------------------------------------------
// One n8n setting

async function measureSetting(setting: N8nSetting): Promise<SettingResult> {
	const n8nEnv = settingEnv({}, setting, EXTRA_ENV);
	const startedAt = new Date();
	const loadAtStart = loadavg();
	console.log('Starting n8n (regular mode, SQLite) with the benchmark workflows…');
	const n8n = await startN8n({
		workflows: [OURS_WORKFLOW, UNDEDUPLICATED_WORKFLOW, PLAIN_WORKFLOW, REFUSED_WORKFLOW],
		credentials: [secretCredential(SECRET), HEADER_AUTH_CREDENTIAL],
		env: n8nEnv,
	});
	try {
		const version = await n8nVersion(n8n);
		const pid = findN8nPid(n8n.port);
		const others = otherN8nProcesses(pid);
		const cpu = cpus();
		console.log(`\nn8n ${version} (regular mode, SQLite), started in ${(n8n.timings.totalMs / 1000).toFixed(1)} s; client Node ${process.version}`);
		console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; client and n8n share the cores`);
		console.log(`load average (1/5/15 min) at start: ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')}; after n8n started: ${loads()}`);
		console.log(`other n8n processes on this machine (start/worker, not ours): ${others}`);
		console.log(`n8n settings: ${describeEnv(n8nEnv)}${setting.note ? `: ${setting.note}` : ''}`);
		console.log(
			`method: ${WARMUP} warm-up deliveries each (discarded), then ${ROUNDS} rounds of ${PER_ROUND} deliveries, ` +
				`rotating ${KINDS.join(' / ')}, ${CONCURRENCY} in flight${PREFILL ? ` (after ${PREFILL} prefill deliveries to ours)` : ''}; then ${DUPLICATES} duplicate copies to ours ` +
				`alternated in halves with as many requests n8n's Webhook refuses`,
		);
		console.log(`  refused: n8n's Webhook (POST, Header Auth), sent a wrong key: 403, no execution`);
		for (const [kind, contender] of Object.entries(CONTENDERS)) console.log(`  ${pad(`${kind}:`, 8)}${contender.label}`);

		/**
		 * `count` requests, CONCURRENCY in flight: their answers, the wall time, and n8n's CPU until
		 * it is idle again (n8n answers before the execution has run: its CPU is counted too).
		 */
		const timed = async (count: number, send: (index: number) => Promise<Answer>): Promise<Timed> => {
			const cpuAtStart = cpuMs(pid);
			const started = performance.now();
			const results = await runWithConcurrency(count, CONCURRENCY, send);
			const seconds = (performance.now() - started) / 1000;
			const cpuAtIdle = await cpuWhenIdle(pid);
			return { results, seconds, cpuMs: cpuAtStart === null || cpuAtIdle === null ? null : cpuAtIdle - cpuAtStart };
		};

		const samples: Sample[] = [];
		const acceptedIds: string[] = [];
		const rounds: Array<Timed & { kind: Kind }> = [];
		const runRound = async (kind: Kind, phase: 'warmup' | 'measure', round: number, count: number) => {
			const url = CONTENDERS[kind].url(n8n);
			const measured = await timed(count, () => deliver(url, freshId(), kind === 'plain' ? 'started' : 'accepted'));
			for (const result of measured.results) {
				samples.push({ kind, phase, round, ...result });
				if (kind === 'ours' && phase === 'measure' && !result.error) acceptedIds.push(result.deliveryId);
			}
			if (phase === 'measure') rounds.push({ kind, ...measured });
		};

		if (WARMUP > 0) {
			for (const kind of KINDS) await runRound(kind, 'warmup', -1, WARMUP);
			if (samples.every((sample) => sample.error)) {
				throw new Error(`every warm-up delivery failed; the first: ${samples[0].kind}: ${samples[0].error}\n--- n8n log ---\n${n8n.log().slice(-4000)}`);
			}
		}
		if (PREFILL > 0) {
			// Timed only to wait until its executions have ended, before the first measured round.
			const prefill = await timed(PREFILL, () => deliver(CONTENDERS.ours.url(n8n), freshId(), 'accepted'));
			const failed = prefill.results.filter((result) => result.error).length;
			console.log(`  prefill: ours accepted ${PREFILL - failed} of ${PREFILL} deliveries (its record now holds up to 1,000 ids), load ${loads()}`);
		}
		for (let round = 0; round < ROUNDS; round++) {
			await runRound(KINDS[round % KINDS.length], 'measure', round, PER_ROUND);
			console.log(`  round ${round + 1}/${ROUNDS} (${rounds[rounds.length - 1].kind}) done, load ${loads()}`);
		}

		const summarise = (kind: Kind): ContenderSummary => summary(rounds.filter((round) => round.kind === kind));
		const ours = summarise('ours');
		const undeduplicated = summarise('undeduplicated');
		const plain = summarise('plain');
		for (const [kind, s] of [['ours', ours], ['undeduplicated', undeduplicated], ['plain', plain]] as const) {
			if (s.deliveries > 0 && s.errors === s.deliveries) {
				const failed = samples.find((sample) => sample.kind === kind && sample.phase === 'measure');
				throw new Error(`every measured ${kind} delivery was answered wrongly; the first: ${failed?.error}\n--- n8n log ---\n${n8n.log().slice(-4000)}`);
			}
		}
		const latencies = (kind: Kind) => samples.filter((s) => s.phase === 'measure' && s.kind === kind && !s.error).map((s) => s.ms);

		// Duplicates: copies of deliveries ours has accepted (the newest first, cycling), once every
		// execution they started is in n8n's list, so that none still being created counts as added.
		await n8n.waitForExecutions(OURS_WORKFLOW.id, acceptedIds.length, 120_000);
		const executionsBefore = (await n8n.executions(OURS_WORKFLOW.id)).length;
		// Only ids still in the record (its newest DEDUPLICATION_LIMIT): older copies run again by design.
		const copies = acceptedIds.slice(-DEDUPLICATION_LIMIT).reverse();
		const duplicateUrl = CONTENDERS.ours.url(n8n);
		const refusedUrl = n8n.webhookUrl(REFUSED_PATH);
		const halves: Record<'duplicate' | 'refused', Timed[]> = { duplicate: [], refused: [] };
		const total = copies.length > 0 ? DUPLICATES : 0;
		let sent = 0;
		for (const [half, count] of [Math.ceil(total / 2), Math.floor(total / 2)].entries()) {
			// A-B then B-A, so that drift during the phase falls on both alike.
			for (const kind of half === 0 ? (['duplicate', 'refused'] as const) : (['refused', 'duplicate'] as const)) {
				const measured = await timed(count, (index) =>
					kind === 'duplicate'
						? deliver(duplicateUrl, copies[(sent + index) % copies.length], 'duplicate')
						: deliver(refusedUrl, freshId(), 'refused'),
				);
				halves[kind].push(measured);
				for (const result of measured.results) samples.push({ kind, phase: 'duplicates', round: half, ...result });
			}
			sent += count;
			console.log(`  duplicates / refused half ${half + 1}/2 done, load ${loads()}`);
		}
		await sleep(1000); // an execution a copy wrongly started would be listed by now
		const executionsAfter = (await n8n.executions(OURS_WORKFLOW.id)).length;
		const duplicateSummary = summary(halves.duplicate);
		const refusedSummary = summary(halves.refused);
		const duplicates = {
			...duplicateSummary,
			notDuplicate: duplicateSummary.errors,
			executionsBefore,
			executionsAfter,
			perSecondOverPlain: duplicateSummary.perSecond / plain.perSecond,
		};
		const refused = { ...refusedSummary, perSecondOverPlain: refusedSummary.perSecond / plain.perSecond };

		const result: SettingResult = {
			setting,
			n8nVersion: version,
			n8nEnv,
			startedAt: startedAt.toISOString(),
			loadavg: { atStart: loadAtStart, atEnd: loadavg() },
			otherN8nProcesses: others,
			ours,
			undeduplicated,
			plain,
			throughputRatio: ours.perSecond / plain.perSecond,
			p50Ratio: { ratio: ours.latency.p50 / plain.latency.p50, ci95: ratioInterval(latencies('ours'), latencies('plain'), 50) },
			duplicates,
			refused,
			samples,
		};
		printSetting(result);
		return result;
	} finally {
		await n8n.stop();
	}
}

function printSetting(r: SettingResult) {
	console.log(`\n${pad('', 11)}${pad('n', 6)}${pad('per s', 9)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}n8n CPU/delivery`);
	for (const [kind, s] of [['ours', r.ours], ['no dedup', r.undeduplicated], ['plain', r.plain], ['duplicate', r.duplicates], ['refused', r.refused]] as const) {
		console.log(
			`${pad(kind, 11)}${pad(String(s.deliveries - s.errors), 6)}${pad(num(s.perSecond), 9)}${pad(num(s.latency.p50), 9)}${pad(num(s.latency.p95), 9)}` +
				`${s.cpuMsPerDelivery === null ? 'n/a' : `${s.cpuMsPerDelivery.toFixed(1)} ms`}${s.errors ? `   (${s.errors} wrong answers left out)` : ''}`,
		);
	}
	const d = r.duplicates;
	console.log(
		`ours / plain: throughput ${num(r.throughputRatio, 2)}, p50 latency ${num(r.p50Ratio.ratio, 2)} (95 % CI ${num(r.p50Ratio.ci95[0], 2)}–${num(r.p50Ratio.ci95[1], 2)}); ` +
			`duplicates answered/s over plain deliveries/s: ${num(d.perSecondOverPlain, 2)}; ` +
			`n8n's refused requests/s over plain deliveries/s: ${num(r.refused.perSecondOverPlain, 2)}; duplicates over refused: ${num(d.perSecond / r.refused.perSecond, 2)}; ` +
			`without de-duplication over plain: ${num(r.undeduplicated.perSecond / r.plain.perSecond, 2)}`,
	);
	const added = d.executionsAfter - d.executionsBefore;
	console.log(
		`duplicates: ${d.deliveries - d.notDuplicate} of ${d.deliveries} answered 200 duplicate; executions of ours ${d.executionsBefore} before, ${d.executionsAfter} after: ` +
			`${added === 0 ? 'none added' : `${added} ADDED`}`,
	);
}

function printMatrix(rows: Array<{ setting: N8nSetting; result?: SettingResult; error?: string }>) {
	console.log(
		`\n## bench:deliveries: ${ROUNDS} alternated rounds of ${PER_ROUND} at concurrency ${CONCURRENCY}, ${DUPLICATES} duplicate copies` +
			`${PREFILL ? `, ours' record prefilled with ${PREFILL} deliveries` : ''}\n`,
	);
	console.log(
		'| n8n setting | ours | ours, De-duplicate off | plain webhook | ratio (throughput) ours / plain, off / plain | n8n CPU ms/delivery ours / off / plain | duplicates (no execution) | n8n refusing (403, no execution) |',
	);
	console.log('|---|---|---|---|---|---|---|---|');
	for (const { setting, result: r, error } of rows) {
		if (!r) {
			console.log(`| ${setting.name} | failed: ${(error ?? '').split('\n')[0].slice(0, 120)} |||||||`);
			continue;
		}
		const d = r.duplicates;
		const added = d.executionsAfter - d.executionsBefore;
		const line = (s: ContenderSummary) => `${num(s.perSecond)} req/s, p50 ${num(s.latency.p50, 0)} ms, p95 ${num(s.latency.p95, 0)} ms`;
		console.log(
			`| ${setting.name} | ${line(r.ours)} | ${line(r.undeduplicated)} | ${line(r.plain)} | ${num(r.throughputRatio, 2)}, ${num(r.undeduplicated.perSecond / r.plain.perSecond, 2)} | ` +
				`${num(r.ours.cpuMsPerDelivery, 0)} / ${num(r.undeduplicated.cpuMsPerDelivery, 0)} / ${num(r.plain.cpuMsPerDelivery, 0)} | ` +
				`${num(d.perSecond)} answered/s (${num(d.perSecondOverPlain, 1)}× plain, ${num(d.perSecond / r.refused.perSecond, 2)}× n8n refusing), p50 ${num(d.latency.p50, 0)} ms, ${num(d.cpuMsPerDelivery, 1)} ms CPU; ` +
				`${d.deliveries - d.notDuplicate}/${d.deliveries} duplicate, ${added === 0 ? 'no execution added' : `${added} executions ADDED`} | ` +
				`${num(r.refused.perSecond)} answered/s (${num(r.refused.perSecondOverPlain, 1)}× plain), p50 ${num(r.refused.latency.p50, 0)} ms, ${num(r.refused.cpuMsPerDelivery, 1)} ms CPU |`,
		);
	}
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const npmCommand = `npm run bench:deliveries${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
	const startedAt = new Date();
	console.log(`bench:deliveries, ${startedAt.toISOString()}`);
	console.log(`command: ${npmCommand}`);
	const settings: readonly N8nSetting[] = args.matrix ? DELIVERY_MATRIX : [{ name: describeEnv(EXTRA_ENV), env: {} }];
	const rows: Array<{ setting: N8nSetting; result?: SettingResult; error?: string }> = [];
	for (const [index, setting] of settings.entries()) {
		if (args.matrix) console.log(`\n=== setting ${index + 1}/${settings.length}: ${setting.name} ===`);
		try {
			rows.push({ setting, result: await measureSetting(setting) });
		} catch (error) {
			console.error(error);
			rows.push({ setting, error: String(error) });
		}
	}
	printMatrix(rows);

	const outDir = join(ROOT, '.bench');
	mkdirSync(outDir, { recursive: true });
	const file = join(outDir, `deliveries-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
	writeFileSync(
		file,
		`${JSON.stringify(
			{
				command: npmCommand,
				startedAt: startedAt.toISOString(),
				mode: 'regular',
				clientNode: process.version,
				machine: { cores: cpus().length, model: cpus()[0]?.model.trim(), totalMemBytes: totalmem() },
				options: { rounds: ROUNDS, perRound: PER_ROUND, concurrency: CONCURRENCY, warmup: WARMUP, duplicates: DUPLICATES, prefill: PREFILL, extraEnv: EXTRA_ENV, matrix: args.matrix },
				contenders: { ...Object.fromEntries(KINDS.map((kind) => [kind, CONTENDERS[kind].label])), refused: "n8n's Webhook (POST, Header Auth), sent a wrong key: 403, no execution" },
				workflows: [OURS_WORKFLOW, UNDEDUPLICATED_WORKFLOW, PLAIN_WORKFLOW, REFUSED_WORKFLOW],
				settings: rows,
			},
			null,
			'\t',
		)}\n`,
	);
	console.log(`\nraw samples: ${file.slice(ROOT.length + 1)}`);
	// A measurement: the ratios decide nothing; an n8n that failed to start or answer does.
	process.exit(rows.every((row) => row.result) ? 0 : 1);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
