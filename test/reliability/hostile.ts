// Hostile requests for the Voice Agent Trigger, from a seeded generator: forged, truncated and
// altered signatures, replayed (old) and future timestamps, swapped and tampered bodies, ids
// swapped under a signature, missing and malformed headers, oversized and deeply nested JSON,
// wrong content types, non-UTF-8 bytes, signed bodies that are not a JSON object, forged Bearer
// JWTs, and, on raw sockets (fetch refuses to send them), header injection (CR, LF, NUL, line
// folding), request smuggling shapes, oversized and duplicated headers, Latin-1 header bytes,
// bodies above n8n's payload limit, broken gzip, a gzip bomb and callers that disconnect mid-body.
// None of them may start an execution or get a 5xx. Cases for the security audit's findings
// (issue 12) are marked with theirs: #3, signature headers of ~15 KiB full of entries (under
// Node's 16 KiB header limit), forged; #4, genuinely signed deliveries whose event name is an
// Object.prototype member, which a trigger listening to other events answers 200 "ignored".
// (#5, a platform the node does not know, cannot be here: n8n refuses to activate such a workflow,
// which startN8n treats as a failed start; test/e2e/publish.e2e.ts covers it.)
import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';

import { hs256, unsigned } from '../support/jwt';
import { bodyHmac, nowSeconds, signLayercode, signStandardWebhook, timestampedSignature } from '../support/sign';
import { agntixDelivery, post, type Random } from './support';

export type Target = 'agntix' | 'layercode' | 'speaknode' | 'jwt';

export interface HostileContext {
	port: number;
	/** The path (no host) of each target's webhook, e.g. /webhook/wh-x/webhook. */
	paths: Record<Target, string>;
	/** Svix (whsec_…), Layercode and SpeakNode HMAC secret: one credential for all three triggers. */
	secret: string;
	jwt: { secret: string; issuer: string; audience: string };
	speaknodeHeader: string;
}

export interface HostileResult {
	category: string;
	target: Target;
	/** HTTP status, 0 when no answer came (the connection was closed or reset, or we hung up). */
	status: number;
	/** The answer's body (start): to tell "ignored" from accepted, and for the report. */
	detail: string;
	/** From sending to the end of the answer (or to giving up). */
	ms: number;
	/** The audit finding (issue 12) the case was added for, if any. */
	finding?: AuditFinding;
}

export type AuditFinding = 3 | 4;

interface Case {
	category: string;
	target: Target;
	finding?: AuditFinding;
	send(ctx: HostileContext, random: Random): Promise<HostileResult>;
}

// ---------------------------------------------------------------------------------------------
// Bodies

let counter = 0;
const nextId = () => `msg_hostile_${++counter}`;

function agntixBody(): string {
	return agntixDelivery('hostile', ++counter).body;
}

function layercodeBody(random: Random): string {
	const turn = `turn_hostile_${++counter}`;
	return random.chance(0.5)
		? JSON.stringify({ type: 'message', session_id: 'sess_h', conversation_id: 'conv_h', turn_id: turn, text: 'hello' })
		: JSON.stringify({ type: 'session.end', session_id: `sess_h_${++counter}`, conversation_id: 'conv_h', agent_id: 'ag', transcript: [] });
}

function speaknodeBody(): string {
	return JSON.stringify({ event: 'ConversationComplete', data: { session_id: `s-${++counter}`, agent_id: 'a', history: [] } });
}

function deepJson(depth: number, random: Random): string {
	return random.chance(0.5) ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Bytes that are not valid UTF-8 (lone continuation bytes, overlongs, 0xFF), some inside JSON. */
function nonUtf8(random: Random): Buffer {
	const junk = Buffer.concat([random.bytes(random.int(1, 200)), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x80])]);
	return random.chance(0.5) ? junk : Buffer.concat([Buffer.from('{"eventType":"session.ended","id":"'), junk, Buffer.from('"}')]);
}

const b64 = (random: Random, bytes = 32) => random.bytes(bytes).toString('base64');
const hex = (random: Random, bytes = 32) => random.bytes(bytes).toString('hex');

function flipOneChar(text: string, random: Random): string {
	const at = random.int(0, text.length - 1);
	const replacement = text[at] === 'A' ? 'B' : 'A';
	return text.slice(0, at) + replacement + text.slice(at + 1);
}

// ---------------------------------------------------------------------------------------------
// Senders

function result(category: string, target: Target, status: number, detail: string, ms: number): HostileResult {
	return { category, target, status, detail: detail.slice(0, 200), ms };
}

function http(category: string, target: Target, build: (ctx: HostileContext, random: Random) => { headers: Record<string, string>; body: string | Buffer }): Case {
	return {
		category,
		target,
		async send(ctx, random) {
			const { headers, body } = build(ctx, random);
			const answer = await post(`http://127.0.0.1:${ctx.port}${ctx.paths[target]}`, body, headers, 60_000);
			return result(category, target, answer.status, answer.error ?? answer.text, answer.ms);
		},
	};
}

/**
 * Writes raw bytes on a fresh connection (`Connection: close`) and reads the status line of the
 * answer; `hangUpAfterMs` destroys the connection that long after writing (a caller vanishing
 * mid-body), so no answer is read.
 */
function rawRequest(port: number, bytes: Buffer, hangUpAfterMs?: number): Promise<{ status: number; detail: string }> {
	return new Promise((done) => {
		const socket = connect(port, '127.0.0.1');
		let answer = Buffer.alloc(0);
		let settled = false;
		const finish = (status: number, detail: string) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.destroy();
			done({ status, detail });
		};
		const timer = setTimeout(() => finish(0, 'no answer within 30 s'), 30_000);
		socket.once('connect', () => {
			socket.write(bytes);
			if (hangUpAfterMs !== undefined) setTimeout(() => finish(0, 'hung up mid-body'), hangUpAfterMs);
		});
		socket.on('data', (chunk: Buffer) => {
			answer = Buffer.concat([answer, chunk]);
			const text = answer.toString('latin1');
			const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
			const headerEnd = text.indexOf('\r\n\r\n');
			if (!match || headerEnd === -1) return;
			const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headerEnd));
			if (!length || answer.length >= headerEnd + 4 + Number(length[1])) finish(Number(match[1]), text.slice(0, 300));
		});
		socket.on('error', (error) => finish(0, error.message));
		socket.on('close', () => {
			const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer.toString('latin1'));
			finish(match ? Number(match[1]) : 0, answer.toString('latin1').slice(0, 300) || 'closed without an answer');
		});
	});
}

function raw(category: string, target: Target, build: (ctx: HostileContext, random: Random) => Buffer | string, hangUpAfterMs?: number): Case {
	return {
		category,
		target,
		async send(ctx, random) {
			const bytes = build(ctx, random);
			const started = performance.now();
			const answer = await rawRequest(ctx.port, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'latin1'), hangUpAfterMs);
			return result(category, target, answer.status, answer.detail, performance.now() - started);
		},
	};
}

/** A request head for raw sockets; `lines` are extra header lines, written as given. */
function head(ctx: HostileContext, target: Target, lines: string[], contentLength?: number): string {
	return [
		`POST ${ctx.paths[target]} HTTP/1.1`,
		`Host: 127.0.0.1:${ctx.port}`,
		'Content-Type: application/json',
		...(contentLength === undefined ? [] : [`Content-Length: ${contentLength}`]),
		'Connection: close',
		...lines,
		'',
		'',
	].join('\r\n');
}

const svix = (ctx: HostileContext, body: string | Buffer, id = nextId(), timestamp?: number) =>
	signStandardWebhook(body.toString(), ctx.secret, { id, timestamp });

/** Svix headers over raw bytes (the svix package signs strings only). */
function svixBytes(ctx: HostileContext, body: Buffer, id = nextId(), timestamp = nowSeconds()) {
	const key = Buffer.from(ctx.secret.replace(/^whsec_/, ''), 'base64');
	const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
	return { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': `v1,${signature}` };
}

const json = { 'content-type': 'application/json' };

// ---------------------------------------------------------------------------------------------
// The catalogue: category → how many of the 5,000 (scaled for other totals)

const AGNTIX: Array<[Case, number]> = [
	[http('forged signature', 'agntix', (_, r) => ({ headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` }, body: agntixBody() })), 300],
	[http('signed with another secret', 'agntix', (_, r) => {
		const body = agntixBody();
		return { headers: { ...json, ...signStandardWebhook(body, `whsec_${b64(r, 24)}`, { id: nextId() }) }, body };
	}), 250],
	[http('truncated signature', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const headers = svix(ctx, body);
		const signature = headers['svix-signature'];
		// Cutting only the base64 padding ('=') leaves the same MAC bytes: the trigger accepts canonical base64 only.
		return { headers: { ...json, ...headers, 'svix-signature': signature.slice(0, r.int(3, signature.length - 1)) }, body };
	}), 250],
	[http('altered signature', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const headers = svix(ctx, body);
		return { headers: { ...json, ...headers, 'svix-signature': `v1,${flipOneChar(headers['svix-signature'].slice(3), r)}` }, body };
	}), 150],
	[http('replayed: genuine signature, old timestamp', 'agntix', (ctx, r) => {
		const body = agntixBody();
		return { headers: { ...json, ...svix(ctx, body, nextId(), nowSeconds() - r.int(301, 30 * 86400)) }, body };
	}), 200],
	[http('genuine signature, future timestamp', 'agntix', (ctx, r) => {
		const body = agntixBody();
		return { headers: { ...json, ...svix(ctx, body, nextId(), nowSeconds() + r.int(301, 365 * 86400)) }, body };
	}), 100],
	[http('swapped body (signature of body A on body B)', 'agntix', (ctx) => {
		const signedFor = agntixBody();
		return { headers: { ...json, ...svix(ctx, signedFor) }, body: agntixBody() };
	}), 250],
	[http('tampered body (one byte changed or appended)', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const headers = svix(ctx, body);
		const tampered = r.chance(0.5) ? `${body} ` : body.replace('RESOLVED', 'UNRESOLVED');
		return { headers: { ...json, ...headers }, body: tampered };
	}), 150],
	[http('id swapped under a genuine signature', 'agntix', (ctx) => {
		const body = agntixBody();
		return { headers: { ...json, ...svix(ctx, body), 'svix-id': nextId() }, body };
	}), 150],
	[http('missing signature headers', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const headers: Record<string, string> = { ...json, ...svix(ctx, body) };
		const drop = r.pick([['svix-id'], ['svix-timestamp'], ['svix-signature'], ['svix-id', 'svix-timestamp', 'svix-signature']]);
		for (const name of drop) delete headers[name];
		return { headers, body };
	}), 150],
	[http('malformed signature headers', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const headers: Record<string, string> = { ...json, ...svix(ctx, body) };
		const breakage = r.int(0, 7);
		if (breakage === 0) headers['svix-timestamp'] = r.pick(['abc', '1e9', '-5', '', '0x10', '99999999999999999999', '1.5']);
		if (breakage === 1) headers['svix-signature'] = r.pick(['v1', 'v1,', 'v2,' + b64(r), '', ',,,', 'v1,!!!!', `v1,${'='.repeat(44)}`]);
		if (breakage === 2) headers['svix-id'] = '';
		if (breakage === 3) headers['svix-signature'] = headers['svix-signature'].replace('v1,', 'V1,');
		if (breakage === 4) headers['svix-signature'] = `${headers['svix-signature'].slice(0, 3)}${Buffer.from(headers['svix-signature'].slice(3), 'base64').toString('hex')}`;
		// Same number, other text: the signature covers the header as sent.
		if (breakage === 5) headers['svix-timestamp'] = `0${headers['svix-timestamp']}`;
		if (breakage === 6) headers['svix-signature'] = `v1 ${headers['svix-signature'].slice(3)}`;
		if (breakage === 7) headers['webhook-signature'] = `v1,${b64(r)}`;
		if (breakage === 7) delete headers['svix-signature'];
		return { headers, body };
	}), 200],
	[http('flood of bogus signatures in one header', 'agntix', (_, r) => {
		const signatures = Array.from({ length: r.int(50, 150) }, () => `v1,${b64(r)}`).join(' ');
		return { headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': signatures }, body: agntixBody() };
	}), 50],
	[http('oversized body (2 MB), forged', 'agntix', (_, r) => {
		const body = JSON.stringify({ eventType: 'session.ended', id: 'big', pad: 'x'.repeat(2 * 1024 * 1024) });
		return { headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` }, body };
	}), 40],
	[http('deeply nested JSON, forged', 'agntix', (_, r) => {
		const body = deepJson(r.int(10_000, 100_000), r);
		return { headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` }, body };
	}), 60],
	[http('wrong content type, forged', 'agntix', (_, r) => {
		const type = r.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/octet-stream', 'image/png']);
		const body = type.startsWith('multipart') ? '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n' : type.endsWith('xml') ? '<a><b>1</b></a>' : agntixBody();
		return { headers: { 'content-type': type, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` }, body };
	}), 150],
	[http('non-UTF-8 body, forged', 'agntix', (_, r) => ({
		headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` },
		body: nonUtf8(r),
	})), 100],
	[http('genuinely signed, not JSON (cut off, garbage, empty, non-UTF-8 bytes)', 'agntix', (ctx, r) => {
		const full = agntixBody();
		const choice = r.int(0, 3);
		if (choice === 3) {
			// Junk that ends in bytes invalid as UTF-8 outside any string: never a JSON object.
			const body = Buffer.concat([r.bytes(r.int(1, 300)), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x80])]);
			return { headers: { ...json, ...svixBytes(ctx, body) }, body };
		}
		const body = [full.slice(0, r.int(1, full.length - 2)), 'not json', ''][choice];
		return { headers: { ...json, ...svix(ctx, body) }, body };
	}), 60],
	[http('genuinely signed, JSON but not an object (array, scalar, deep array)', 'agntix', (ctx, r) => {
		const body = r.pick(['[]', '[{"eventType":"session.ended"}]', '"session.ended"', '42', 'null', 'true', `${'['.repeat(50_000)}${']'.repeat(50_000)}`]);
		return { headers: { ...json, ...svix(ctx, body) }, body };
	}), 40],
];

const LAYERCODE: Array<[Case, number]> = [
	[http('Layercode: forged signature', 'layercode', (_, r) => ({ headers: { ...json, 'layercode-signature': `t=${nowSeconds()},v1=${hex(r)}` }, body: layercodeBody(r) })), 200],
	[http('Layercode: replayed, old timestamp', 'layercode', (ctx, r) => {
		const body = layercodeBody(r);
		return { headers: { ...json, ...signLayercode(body, ctx.secret, nowSeconds() - r.int(301, 30 * 86400)) }, body };
	}), 150],
	[http('Layercode: swapped body', 'layercode', (ctx, r) => ({ headers: { ...json, ...signLayercode(layercodeBody(r), ctx.secret) }, body: layercodeBody(r) })), 150],
	[http('Layercode: missing or malformed header', 'layercode', (ctx, r) => {
		const body = layercodeBody(r);
		const good = timestampedSignature(body, ctx.secret);
		const value = r.pick([
			'',
			't=abc,v1=00',
			`v1=${good.split('v1=')[1]}`,
			`t=${nowSeconds()}`,
			`t=${nowSeconds()},t=${nowSeconds()},${good.split(',')[1]}`,
			good.replace('v1=', 'v0='),
			good.toUpperCase(),
			`${good.slice(0, -10)}`,
			'garbage',
		]);
		return { headers: value === '' ? { ...json } : { ...json, 'layercode-signature': value }, body };
	}), 200],
	[http('Layercode: genuinely signed, not a JSON object', 'layercode', (ctx, r) => {
		const body = r.pick(['{"type":"message"', '[1,2]', 'null', '']);
		return { headers: { ...json, ...signLayercode(body, ctx.secret) }, body };
	}), 50],
	[http('Layercode: non-UTF-8 body, forged', 'layercode', (_, r) => ({ headers: { ...json, 'layercode-signature': `t=${nowSeconds()},v1=${hex(r)}` }, body: nonUtf8(r) })), 50],
];

const SPEAKNODE: Array<[Case, number]> = [
	[http('SpeakNode HMAC: forged', 'speaknode', (ctx, r) => ({ headers: { ...json, [ctx.speaknodeHeader]: hex(r) }, body: speaknodeBody() })), 150],
	[http('SpeakNode HMAC: wrong length or encoding', 'speaknode', (ctx, r) => {
		const body = speaknodeBody();
		const good = bodyHmac(body, ctx.secret);
		const value = r.pick([good.slice(0, 63), `${good}0`, Buffer.from(good, 'hex').toString('base64'), `sha256=${good}`, good.replace(/[0-9]/, 'g'), 'zz']);
		return { headers: { ...json, [ctx.speaknodeHeader]: value }, body };
	}), 100],
	[http('SpeakNode HMAC: swapped body', 'speaknode', (ctx) => ({ headers: { ...json, [ctx.speaknodeHeader]: bodyHmac(speaknodeBody(), ctx.secret) }, body: speaknodeBody() })), 100],
	[http('SpeakNode HMAC: missing header', 'speaknode', () => ({ headers: { ...json }, body: speaknodeBody() })), 50],
	[http('SpeakNode HMAC: signed with another secret', 'speaknode', (ctx, r) => {
		const body = speaknodeBody();
		return { headers: { ...json, [ctx.speaknodeHeader]: bodyHmac(body, `other-${hex(r, 8)}`) }, body };
	}), 50],
	[http('SpeakNode HMAC: non-UTF-8 body, forged', 'speaknode', (ctx, r) => ({ headers: { ...json, [ctx.speaknodeHeader]: hex(r) }, body: nonUtf8(r) })), 50],
];

const claims = (ctx: HostileContext, extra: object = {}) => ({
	iss: ctx.jwt.issuer,
	aud: ctx.jwt.audience,
	sub: 'speaknode',
	iat: nowSeconds(),
	exp: nowSeconds() + 300,
	...extra,
});
const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

const JWT: Array<[Case, number]> = [
	[http('JWT: alg none', 'jwt', (ctx) => ({ headers: bearer(unsigned(claims(ctx))), body: speaknodeBody() })), 80],
	[http('JWT: signed with another secret', 'jwt', (ctx, r) => ({ headers: bearer(hs256(claims(ctx), `wrong-${hex(r, 16)}`)), body: speaknodeBody() })), 100],
	[http('JWT: expired (genuine key)', 'jwt', (ctx, r) => {
		const past = nowSeconds() - r.int(120, 86400);
		return { headers: bearer(hs256(claims(ctx, { iat: past - 300, exp: past }), ctx.jwt.secret)), body: speaknodeBody() };
	}), 80],
	[http('JWT: wrong audience or issuer (genuine key)', 'jwt', (ctx, r) => {
		const wrong = r.chance(0.5) ? { aud: 'someone-else' } : { iss: 'https://evil.example' };
		return { headers: bearer(hs256(claims(ctx, wrong), ctx.jwt.secret)), body: speaknodeBody() };
	}), 100],
	[http('JWT: malformed token', 'jwt', (ctx, r) => {
		const good = hs256(claims(ctx), ctx.jwt.secret);
		const token = r.pick([good.split('.').slice(0, 2).join('.'), `${good}.x`, good.replace(/\./g, '..'), 'a.b.c', flipOneChar(good, r), `${good.slice(0, -3)}`]);
		return { headers: bearer(token), body: speaknodeBody() };
	}), 80],
	[http('JWT: missing or non-Bearer authorization', 'jwt', (ctx, r) => {
		const good = hs256(claims(ctx), ctx.jwt.secret);
		const value = r.pick(['', `Basic ${Buffer.from('a:b').toString('base64')}`, good, 'Bearer', 'Bearer  ']);
		return { headers: value === '' ? { ...json } : { ...json, authorization: value }, body: speaknodeBody() };
	}), 60],
];

const BODY_OVER_LIMIT = "body above n8n's payload limit (17 MiB), forged";
const NOT_GZIP = 'content-encoding gzip, not gzip';
const GZIP_BOMB = 'gzip bomb (20 MiB of spaces in 20 KiB), forged';

/**
 * Bodies n8n cannot read. From trigger version 1.1 n8n reads a JSON body itself before the trigger
 * runs (as for its own Webhook node), and answers these with its own
 * `500 "There was a problem executing the workflow"`: no node runs. A version-1 trigger reads the
 * body itself and answers 413 or 400 (trigger.e2e.ts).
 */
export const UNREADABLE_BODIES = new Set([BODY_OVER_LIMIT, NOT_GZIP, GZIP_BOMB]);

const TRANSPORT: Array<[Case, number]> = [
	[raw('header injection: CR, LF or NUL in a value, line folding', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const injected = r.pick([
			`svix-id: ${nextId()}\nX-Injected: 1`,
			`svix-id: ${nextId()}\rX-Injected: 1`,
			`svix-id: ${nextId()}\0x`,
			`svix-id: ${nextId()}\r\n folded-continuation`,
			`svix-signature: v1,${b64(r)}\r\n\tX-Folded: 1`,
			`X-Evil\r\n: 1`,
		]);
		return head(ctx, 'agntix', [injected, `svix-timestamp: ${nowSeconds()}`], Buffer.byteLength(body)) + body;
	}), 120],
	[raw('request smuggling shapes (CL+TE, two lengths, bad chunk)', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const shape = r.int(0, 2);
		if (shape === 0) return `${head(ctx, 'agntix', ['Transfer-Encoding: chunked'], Buffer.byteLength(body))}0\r\n\r\n`;
		if (shape === 1) return head(ctx, 'agntix', [`Content-Length: ${Buffer.byteLength(body) + 5}`], Buffer.byteLength(body)) + body;
		return `${head(ctx, 'agntix', ['Transfer-Encoding: chunked'])}zz\r\n${body}\r\n0\r\n\r\n`;
	}), 60],
	[raw('oversized header (> 16 KiB)', 'agntix', (ctx, r) => {
		const body = agntixBody();
		return head(ctx, 'agntix', [`svix-signature: v1,${'A'.repeat(r.int(17_000, 40_000))}`], Buffer.byteLength(body)) + body;
	}), 40],
	[raw('duplicated svix-id / svix-signature headers', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const headers = svix(ctx, body);
		const lines = r.chance(0.5)
			? [`svix-id: ${headers['svix-id']}`, `svix-id: ${nextId()}`, `svix-timestamp: ${headers['svix-timestamp']}`, `svix-signature: ${headers['svix-signature']}`]
			: [`svix-id: ${nextId()}`, `svix-timestamp: ${headers['svix-timestamp']}`, `svix-signature: v1,${b64(r)}`, `svix-signature: v1,${b64(r)}`];
		return head(ctx, 'agntix', lines, Buffer.byteLength(body)) + body;
	}), 40],
	[raw('Latin-1 / control bytes in header values', 'agntix', (ctx, r) => {
		const body = agntixBody();
		const value = Buffer.from([0xe9, 0xff, 0x80, 0xa0]).toString('latin1');
		return head(ctx, 'agntix', [`svix-id: ${value}${nextId()}`, `svix-timestamp: ${nowSeconds()}`, `svix-signature: v1,${b64(r)}${value}`], Buffer.byteLength(body)) + body;
	}), 40],
	[http(BODY_OVER_LIMIT, 'agntix', (_, r) => ({
		headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` },
		body: Buffer.alloc(17 * 1024 * 1024, 0x20),
	})), 5],
	[http(NOT_GZIP, 'agntix', (_, r) => ({
		headers: { ...json, 'content-encoding': r.pick(['gzip', 'deflate']), 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` },
		body: r.bytes(r.int(10, 500)),
	})), 30],
	[http(GZIP_BOMB, 'agntix', (_, r) => ({
		headers: { ...json, 'content-encoding': 'gzip', 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': `v1,${b64(r)}` },
		body: gzipBomb(),
	})), 5],
	[raw('caller disconnects mid-body', 'agntix', (ctx, r) => {
		const body = agntixBody();
		return head(ctx, 'agntix', [`svix-id: ${nextId()}`, `svix-timestamp: ${nowSeconds()}`, `svix-signature: v1,${b64(r)}`], Buffer.byteLength(body)) + body.slice(0, r.int(0, body.length - 1));
	}, 300), 50],
];

let bomb: Buffer | undefined;
const gzipBomb = () => (bomb ??= gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20), { level: 9 }));

// ---------------------------------------------------------------------------------------------
// Audit findings (issue 12)

/** A catalogue case marked with its finding; its results carry the mark. */
function audit(finding: AuditFinding, entry: Case): Case {
	return {
		...entry,
		finding,
		async send(ctx, random) {
			return { ...(await entry.send(ctx, random)), finding };
		},
	};
}

/**
 * `entry()` repeated up to `bytes` of header value, joined by `separator`: ~15 KiB of entries,
 * so that the request stays under Node's 16 KiB header limit (n8n's parser reaches the trigger)
 * with fetch's own headers. Before the fix a `t=…,v1=…` header this size was parsed in quadratic time.
 */
function manyEntries(bytes: number, separator: string, entry: () => string): string {
	const entries: string[] = [];
	let length = 0;
	while (length < bytes) {
		const next = entry();
		entries.push(next);
		length += next.length + separator.length;
	}
	return entries.join(separator);
}
const headerBytes = (r: Random) => r.int(14_000, 15_200);

const MANY_ENTRIES: Array<[Case, number]> = [
	[audit(3, http('audit #3: Layercode: ~15 KiB of v1= entries, forged', 'layercode', (_, r) => ({
		headers: { ...json, 'layercode-signature': `t=${nowSeconds()},${manyEntries(headerBytes(r), ',', () => `v1=${hex(r)}`)}` },
		body: layercodeBody(r),
	}))), 34],
	[audit(3, http('audit #3: Svix: ~15 KiB of v1, entries, forged', 'agntix', (_, r) => ({
		headers: { ...json, 'svix-id': nextId(), 'svix-timestamp': String(nowSeconds()), 'svix-signature': manyEntries(headerBytes(r), ' ', () => `v1,${b64(r)}`) },
		body: agntixBody(),
	}))), 33],
	[audit(3, http('audit #3: SpeakNode HMAC: ~15 KiB of comma-separated signatures, forged', 'speaknode', (ctx, r) => ({
		headers: { ...json, [ctx.speaknodeHeader]: manyEntries(headerBytes(r), ',', () => hex(r)) },
		body: speaknodeBody(),
	}))), 33],
];

/** Event names that are Object.prototype members: looked up in plain objects, Layercode's `constructor` threw (500, a failed execution). */
export const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty'] as const;

/** Genuinely signed deliveries whose event name is `name`: answered 200 "ignored" by triggers listening to other events. */
const PROTOTYPE_EVENTS: Array<[Case, number]> = PROTOTYPE_NAMES.flatMap((name): Array<[Case, number]> => [
	[audit(4, http(`audit #4: Agntix: genuinely signed, eventType ${name}`, 'agntix', (ctx) => {
		const body = JSON.stringify({ ...JSON.parse(agntixBody()), eventType: name });
		return { headers: { ...json, ...svix(ctx, body) }, body };
	})), 5],
	[audit(4, http(`audit #4: Layercode: genuinely signed, type ${name}`, 'layercode', (ctx) => {
		const body = JSON.stringify({ type: name, session_id: 'sess_h', conversation_id: 'conv_h', turn_id: `turn_hostile_${++counter}`, text: 'hello' });
		return { headers: { ...json, ...signLayercode(body, ctx.secret) }, body };
	})), 5],
	[audit(4, http(`audit #4: SpeakNode HMAC: genuinely signed, event ${name}`, 'speaknode', (ctx) => {
		const body = JSON.stringify({ event: name, data: { session_id: `s-${++counter}`, agent_id: 'a', history: [] } });
		return { headers: { ...json, [ctx.speaknodeHeader]: bodyHmac(body, ctx.secret) }, body };
	})), 5],
]);

/**
 * The events the catalogue's genuinely signed, valid bodies use (Agntix and SpeakNode
 * session.ended, Layercode message and session.end): the hostile workflow's triggers listen to
 * these only, so the #4 cases are "ignored" and still start nothing. Every other case is refused
 * (401/400/413/431, or no answer) before the event filter is reached.
 */
export const HOSTILE_EVENTS = ['session.ended', 'turn.message'];

// The audit's 160 cases bring the catalogue to 5,000: at the default size every case is sent
// exactly as many times as listed.
const CATALOGUE = [...AGNTIX, ...LAYERCODE, ...SPEAKNODE, ...JWT, ...TRANSPORT, ...MANY_ENTRIES, ...PROTOTYPE_EVENTS];
export const CATALOGUE_TOTAL = CATALOGUE.reduce((sum, [, count]) => sum + count, 0);

/** `total` hostile cases (the catalogue's mix scaled to it), shuffled with the seeded random source. */
export function hostileCases(total: number, random: Random): Case[] {
	const cases: Case[] = [];
	for (const [entry, count] of CATALOGUE) {
		const scaled = Math.max(1, Math.round((count * total) / CATALOGUE_TOTAL));
		for (let i = 0; i < scaled; i++) cases.push(entry);
	}
	// Exactly `total`: trim (never the audit's few cases of a kind) or top up with forged signatures, the commonest attack.
	while (cases.length > total) {
		const at = random.int(0, cases.length - 1);
		if (cases[at].finding === undefined) cases.splice(at, 1);
	}
	while (cases.length < total) cases.push(AGNTIX[0][0]);
	for (let i = cases.length - 1; i > 0; i--) {
		const j = random.int(0, i);
		[cases[i], cases[j]] = [cases[j], cases[i]];
	}
	return cases;
}

export type { Case as HostileCase };
