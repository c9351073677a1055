import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';

import { fixtureText } from '../../../helpers/fixtures';
import { svixSign, svixVerify } from '../../../helpers/svix';
import {
	MIN_SECRET_BYTES,
	parseKeyValueHeader,
	safeEqual,
	signingSecretProblem,
	verifyBodyHmac,
	verifyHmac,
	verifySharedSecret,
	verifyStandardWebhook,
	verifyTimestampedHmac,
	type HmacAlgorithm,
	type SignatureEncoding,
	type Verification,
} from '../../../../../nodes/shared/verification/signatures';

// A fixed clock: every timestamp below is relative to it.
const NOW = 1_749_737_000;
const TOLERANCE = 300;
const timing = { toleranceSeconds: TOLERANCE, nowSeconds: NOW };

const AGNTIX_BODY = fixtureText('agntix/session.ended');
const LAYERCODE_BODY = fixtureText('layercode/message');
const SPEAKNODE_BODY = fixtureText('speaknode/ConversationComplete');

const fail = (reason: string): Verification => ({ valid: false, reason });
const OK: Verification = { valid: true };

/** Changes one byte in the middle of a body. */
function tamper(body: string): Buffer {
	const bytes = Buffer.from(body);
	const at = Math.floor(bytes.length / 2);
	bytes[at] = bytes[at] ^ 0x01;
	return bytes;
}

/** Changes one character in the middle of an encoded signature (never the last, whose low bits may be padding). */
function flipChar(signature: string): string {
	const at = Math.floor(signature.length / 2);
	const replacement = signature[at] === 'a' ? 'b' : 'a';
	return signature.slice(0, at) + replacement + signature.slice(at + 1);
}

// ---------------------------------------------------------------------------------------------
// Standard Webhooks / Svix, against vectors from the svix package
// ---------------------------------------------------------------------------------------------

describe('verifyStandardWebhook (vectors signed by the svix package)', () => {
	const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
	const BARE_SECRET = SECRET.slice('whsec_'.length);
	const OTHER_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
	const ID = 'msg_2yZwUhtgs5Ai8T9yRQJXA4ms1xo';

	type Vector = { name: string; secret: string; id: string; timestamp: number; body: string };
	const vectors: Vector[] = [
		{ name: 'agntix', secret: SECRET, id: ID, timestamp: NOW, body: AGNTIX_BODY },
		{ name: 'agntix-compact', secret: SECRET, id: ID, timestamp: NOW, body: JSON.stringify(JSON.parse(AGNTIX_BODY)) },
		{ name: 'bare-secret', secret: BARE_SECRET, id: ID, timestamp: NOW, body: AGNTIX_BODY },
		{ name: 'other-secret', secret: OTHER_SECRET, id: ID, timestamp: NOW, body: AGNTIX_BODY },
		{ name: 'unicode', secret: SECRET, id: ID, timestamp: NOW, body: '{"text":"Grüße, 東京 🎧"}' },
		{ name: 'empty', secret: SECRET, id: ID, timestamp: NOW, body: '' },
		{ name: 'old-inside', secret: SECRET, id: ID, timestamp: NOW - TOLERANCE, body: AGNTIX_BODY },
		{ name: 'future-inside', secret: SECRET, id: ID, timestamp: NOW + TOLERANCE, body: AGNTIX_BODY },
		{ name: 'stale', secret: SECRET, id: ID, timestamp: NOW - TOLERANCE - 1, body: AGNTIX_BODY },
		{ name: 'future', secret: SECRET, id: ID, timestamp: NOW + TOLERANCE + 1, body: AGNTIX_BODY },
		{ name: 'other-id', secret: SECRET, id: 'msg_other', timestamp: NOW, body: AGNTIX_BODY },
	];
	const signed = new Map<string, string>();

	beforeAll(() => {
		const signatures = svixSign(vectors);
		vectors.forEach((vector, index) => signed.set(vector.name, signatures[index]));
	});

	const sig = (name: string) => signed.get(name)!;
	const verify = (
		signature: string | undefined,
		overrides: Partial<{ id: string; timestamp: string; body: Buffer; secret: string }> = {},
	) =>
		verifyStandardWebhook(
			{
				id: 'id' in overrides ? overrides.id : ID,
				timestamp: 'timestamp' in overrides ? overrides.timestamp : String(NOW),
				signature,
				body: overrides.body ?? Buffer.from(AGNTIX_BODY),
			},
			overrides.secret ?? SECRET,
			timing,
		);

	test('svix signs `id.timestamp.body` with the base64-decoded secret (checked with node:crypto)', () => {
		const key = Buffer.from(BARE_SECRET, 'base64');
		const expected = createHmac('sha256', key).update(`${ID}.${NOW}.${AGNTIX_BODY}`).digest('base64');
		expect(sig('agntix')).toBe(`v1,${expected}`);
	});

	test('a genuine Agntix delivery verifies', () => {
		expect(verify(sig('agntix'))).toEqual(OK);
	});

	test('the compact form of the body verifies against its own signature', () => {
		const body = Buffer.from(JSON.stringify(JSON.parse(AGNTIX_BODY)));
		expect(verify(sig('agntix-compact'), { body })).toEqual(OK);
	});

	test('UTF-8 bodies are verified byte for byte', () => {
		expect(verify(sig('unicode'), { body: Buffer.from('{"text":"Grüße, 東京 🎧"}') })).toEqual(OK);
	});

	test('an empty body verifies when signed as such', () => {
		expect(verify(sig('empty'), { body: Buffer.alloc(0) })).toEqual(OK);
	});

	test.each([
		['with the whsec_ prefix', SECRET],
		['without the whsec_ prefix', BARE_SECRET],
	])('the secret is accepted %s', (_, secret) => {
		expect(verify(sig('agntix'), { secret })).toEqual(OK);
		expect(verify(sig('bare-secret'), { secret })).toEqual(OK);
	});

	test('wrong secret → signature mismatch', () => {
		expect(verify(sig('other-secret'))).toEqual(fail('signature mismatch'));
		expect(verify(sig('agntix'), { secret: OTHER_SECRET })).toEqual(fail('signature mismatch'));
	});

	test('a body with one byte changed → signature mismatch', () => {
		expect(verify(sig('agntix'), { body: tamper(AGNTIX_BODY) })).toEqual(fail('signature mismatch'));
	});

	test('a body with one byte appended → signature mismatch', () => {
		expect(verify(sig('agntix'), { body: Buffer.from(`${AGNTIX_BODY}\n`) })).toEqual(fail('signature mismatch'));
	});

	test('another delivery id → signature mismatch', () => {
		expect(verify(sig('other-id'))).toEqual(fail('signature mismatch'));
	});

	test('a signature replayed with a new timestamp → signature mismatch', () => {
		expect(verify(sig('agntix'), { timestamp: String(NOW + 1) })).toEqual(fail('signature mismatch'));
	});

	test('stale timestamp (tolerance + 1 s old) → timestamp too old', () => {
		expect(verify(sig('stale'), { timestamp: String(NOW - TOLERANCE - 1) })).toEqual(fail('timestamp too old'));
	});

	test('future timestamp (tolerance + 1 s ahead) → timestamp in the future', () => {
		expect(verify(sig('future'), { timestamp: String(NOW + TOLERANCE + 1) })).toEqual(
			fail('timestamp in the future'),
		);
	});

	test('timestamps exactly at the tolerance either way pass', () => {
		expect(verify(sig('old-inside'), { timestamp: String(NOW - TOLERANCE) })).toEqual(OK);
		expect(verify(sig('future-inside'), { timestamp: String(NOW + TOLERANCE) })).toEqual(OK);
	});

	test('the tolerance is the caller’s: 10 minutes accepts what 5 minutes refuses', () => {
		const message = {
			id: ID,
			timestamp: String(NOW - TOLERANCE - 1),
			signature: sig('stale'),
			body: Buffer.from(AGNTIX_BODY),
		};
		expect(verifyStandardWebhook(message, SECRET, { toleranceSeconds: 600, nowSeconds: NOW })).toEqual(OK);
	});

	test.each([
		['non-numeric', 'abc', 'invalid timestamp'],
		['in milliseconds', String(NOW * 1000), 'invalid timestamp'],
		['a day ahead', String(NOW + 86_400), 'timestamp in the future'],
		['negative', `-${NOW}`, 'invalid timestamp'],
		['zero', '0', 'invalid timestamp'],
		['fractional', `${NOW}.5`, 'invalid timestamp'],
		['with spaces', ` ${NOW}`, 'invalid timestamp'],
		['hexadecimal', `0x${NOW.toString(16)}`, 'invalid timestamp'],
		['absurdly long', '9'.repeat(40), 'invalid timestamp'],
	])('a %s timestamp is refused', (_, timestamp, reason) => {
		expect(verify(sig('agntix'), { timestamp })).toEqual(fail(reason));
	});

	// Tables are built before beforeAll signs the vectors, so each row derives its header from the real signature.
	type FromSignature = (real: string) => string;
	test.each<[string, FromSignature]>([
		['garbage', () => 'garbage'],
		['a v2 signature only', (real) => `v2,${real}`],
		['a bare base64 signature', (real) => real],
		['v1 with = instead of ,', (real) => `v1=${real}`],
		['only separators', () => '   '],
	])('a malformed signature header (%s) → malformed signature header', (_, build) => {
		expect(verify(build(sig('agntix').slice(3)))).toEqual(fail('malformed signature header'));
	});

	test.each<[string, FromSignature]>([
		['bad base64 characters', () => 'v1,!!!not*base64!!!'],
		['an empty v1 value', () => 'v1,'],
		['a truncated signature', (real) => `v1,${real.slice(0, 20)}`],
		['one character changed', (real) => `v1,${flipChar(real)}`],
		['hex instead of base64', (real) => `v1,${Buffer.from(real, 'base64').toString('hex')}`],
		['a signature of another length', () => `v1,${Buffer.alloc(31).toString('base64')}`],
	])('an unusable v1 signature (%s) → signature mismatch', (_, build) => {
		expect(verify(build(sig('agntix').slice(3)))).toEqual(fail('signature mismatch'));
	});

	test.each([
		['an empty signature header', { signature: '' }],
		['a missing signature header', { signature: undefined }],
		['a missing id', { id: undefined }],
		['an empty id', { id: '' }],
		['a missing timestamp', { timestamp: undefined }],
		['an empty timestamp', { timestamp: '' }],
	])('%s → missing signature headers', (_, override) => {
		const signature = 'signature' in override ? override.signature : sig('agntix');
		const rest = { ...override } as Record<string, unknown>;
		delete rest.signature;
		expect(verify(signature, rest as Partial<{ id: string; timestamp: string }>)).toEqual(
			fail('missing signature headers'),
		);
	});

	test('several signatures with exactly one valid (secret rotation) → valid, wherever it is', () => {
		const good = sig('agntix');
		const bad = sig('other-secret');
		expect(verify(`${bad} ${good}`)).toEqual(OK);
		expect(verify(`${good} ${bad}`)).toEqual(OK);
		expect(verify(`v1a,xyz ${bad} v2,abc ${good}`)).toEqual(OK);
		expect(verify(`${bad}  ${good}`)).toEqual(OK); // a double space
	});

	test('several signatures, none valid → signature mismatch', () => {
		const bad = sig('other-secret');
		expect(verify(`${bad} v1,${flipChar(sig('agntix').slice(3))} v1,AAAA`)).toEqual(fail('signature mismatch'));
	});

	test.each([
		['not base64', 'whsec_!!!!'],
		['empty after the prefix', 'whsec_'],
		['empty', ''],
		['url-safe base64', 'whsec_ab-c_d'],
	])('a signing secret that is %s is refused, never treated as a key', (_, secret) => {
		expect(verify(sig('agntix'), { secret })).toEqual(fail('the signing secret is not valid base64'));
	});

	test('the timestamp is checked before the signature', () => {
		expect(verify('garbage', { timestamp: String(NOW - 10_000) })).toEqual(fail('timestamp too old'));
	});

	test('svix itself agrees on fresh signatures (both on the real clock)', () => {
		const now = Math.floor(Date.now() / 1000);
		const [fresh, freshOther] = svixSign([
			{ secret: SECRET, id: ID, timestamp: now, body: AGNTIX_BODY },
			{ secret: OTHER_SECRET, id: ID, timestamp: now, body: AGNTIX_BODY },
		]);
		const headers = (signature: string) => ({
			'svix-id': ID,
			'svix-timestamp': String(now),
			'svix-signature': signature,
		});
		const cases = [
			{ body: AGNTIX_BODY, signature: fresh },
			{ body: AGNTIX_BODY, signature: freshOther },
			{ body: `${AGNTIX_BODY} `, signature: fresh },
			{ body: AGNTIX_BODY, signature: `${freshOther} ${fresh}` },
			{ body: AGNTIX_BODY, signature: 'garbage' },
		];
		const theirs = svixVerify(cases.map(({ body, signature }) => ({ secret: SECRET, body, headers: headers(signature) })));
		const ours = cases.map(({ body, signature }) =>
			verifyStandardWebhook(
				{ id: ID, timestamp: String(now), signature, body: Buffer.from(body) },
				SECRET,
				{ toleranceSeconds: TOLERANCE },
			),
		);
		expect(ours.map((verdict) => verdict.valid)).toEqual(theirs.map((verdict) => verdict.ok));
		expect(theirs.map((verdict) => verdict.ok)).toEqual([true, false, false, true, false]);
	});
});

// ---------------------------------------------------------------------------------------------
// Timestamped HMAC: Layercode, Stripe (v1), ElevenLabs (v0)
// ---------------------------------------------------------------------------------------------

/** The documented formula, independently: hex HMAC of `t + "." + body` with the secret as text. */
function timestampedSignature(secret: string, t: number | string, body: string | Buffer, algorithm: HmacAlgorithm = 'sha256') {
	return createHmac(algorithm, Buffer.from(secret, 'utf8')).update(`${t}.`).update(body).digest('hex');
}

describe('verifyTimestampedHmac: Layercode (`t=…,v1=…` over `t.body`)', () => {
	const SECRET = 'lc_whsec_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
	const OTHER = 'lc_whsec_00000000000000000000000000000000';
	const body = Buffer.from(LAYERCODE_BODY);
	const header = (t: number | string, ...signatures: string[]) =>
		[`t=${t}`, ...signatures.map((signature) => `v1=${signature}`)].join(',');
	const good = timestampedSignature(SECRET, NOW, LAYERCODE_BODY);
	const verify = (value: string | undefined, payload: Buffer = body, secret = SECRET) =>
		verifyTimestampedHmac(value, payload, secret, timing);

	test('the signature is lowercase hex of 32 bytes', () => {
		expect(good).toMatch(/^[0-9a-f]{64}$/);
	});

	test('a genuine delivery verifies', () => {
		expect(verify(header(NOW, good))).toEqual(OK);
	});

	test('spaces around the parts are tolerated, and the order of t and v1 does not matter', () => {
		expect(verify(`t=${NOW}, v1=${good}`)).toEqual(OK);
		expect(verify(`v1=${good},t=${NOW}`)).toEqual(OK);
	});

	test('uppercase hex is decoded like lowercase', () => {
		expect(verify(header(NOW, good.toUpperCase()))).toEqual(OK);
	});

	test('unknown extra keys are ignored', () => {
		expect(verify(`t=${NOW},v0=deadbeef,v1=${good},foo=bar`)).toEqual(OK);
	});

	test('wrong secret → signature mismatch', () => {
		expect(verify(header(NOW, good), body, OTHER)).toEqual(fail('signature mismatch'));
		expect(verify(header(NOW, timestampedSignature(OTHER, NOW, LAYERCODE_BODY)))).toEqual(fail('signature mismatch'));
	});

	test('a body with one byte changed → signature mismatch', () => {
		expect(verify(header(NOW, good), tamper(LAYERCODE_BODY))).toEqual(fail('signature mismatch'));
	});

	test('the timestamp is part of the signed content', () => {
		expect(verify(header(NOW + 1, good))).toEqual(fail('signature mismatch'));
	});

	test('stale timestamp → timestamp too old', () => {
		const t = NOW - TOLERANCE - 1;
		expect(verify(header(t, timestampedSignature(SECRET, t, LAYERCODE_BODY)))).toEqual(fail('timestamp too old'));
	});

	test('future timestamp → timestamp in the future', () => {
		const t = NOW + TOLERANCE + 1;
		expect(verify(header(t, timestampedSignature(SECRET, t, LAYERCODE_BODY)))).toEqual(
			fail('timestamp in the future'),
		);
	});

	test('just inside the tolerance either way passes', () => {
		for (const t of [NOW - TOLERANCE, NOW + TOLERANCE, NOW - 1, NOW + 1]) {
			expect(verify(header(t, timestampedSignature(SECRET, t, LAYERCODE_BODY)))).toEqual(OK);
		}
	});

	test.each([
		['garbage', 'garbage'],
		['missing t', `v1=${good}`],
		['missing v1', `t=${NOW}`],
		['t without a value but with v1 key only', `t,v1`],
		['two timestamps', `t=${NOW},t=${NOW},v1=${good}`],
		['only v0 (ElevenLabs) when v1 is expected', `t=${NOW},v0=${good}`],
		['= with no key', `=${NOW},=${good}`],
		['commas only', ',,,'],
	])('a malformed header (%s) → malformed signature header', (_, value) => {
		expect(verify(value)).toEqual(fail('malformed signature header'));
	});

	test.each([
		['non-numeric t', `t=abc,v1=${good}`],
		['empty t', `t=,v1=${good}`],
		['t in exponent notation', `t=1.7e9,v1=${good}`],
		['negative t', `t=-${NOW},v1=${good}`],
	])('a bad timestamp (%s) → invalid timestamp', (_, value) => {
		expect(verify(value)).toEqual(fail('invalid timestamp'));
	});

	test.each([
		['non-hex v1', header(NOW, 'zz'.repeat(32))],
		['odd-length hex', header(NOW, good.slice(1))],
		['truncated v1', header(NOW, good.slice(0, 32))],
		['base64 v1', header(NOW, Buffer.from(good, 'hex').toString('base64'))],
		['empty v1', header(NOW, '')],
		['one hex digit changed', header(NOW, flipChar(good))],
	])('an unusable signature (%s) → signature mismatch', (_, value) => {
		expect(verify(value)).toEqual(fail('signature mismatch'));
	});

	test('empty header → missing signature header', () => {
		expect(verify('')).toEqual(fail('missing signature header'));
	});

	test('missing header → missing signature header', () => {
		expect(verify(undefined)).toEqual(fail('missing signature header'));
	});

	test('several v1 signatures with exactly one valid (rotation) → valid', () => {
		const old = timestampedSignature(OTHER, NOW, LAYERCODE_BODY);
		expect(verify(header(NOW, old, good))).toEqual(OK);
		expect(verify(header(NOW, good, old))).toEqual(OK);
		expect(verify(header(NOW, 'nothex', good))).toEqual(OK);
	});

	test('several v1 signatures, all invalid → signature mismatch', () => {
		const old = timestampedSignature(OTHER, NOW, LAYERCODE_BODY);
		expect(verify(header(NOW, old, flipChar(good), 'nothex'))).toEqual(fail('signature mismatch'));
	});

	test('a secret that looks like `whsec_…` is used as text, prefix included', () => {
		const secret = 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=';
		expect(verify(header(NOW, timestampedSignature(secret, NOW, LAYERCODE_BODY)), body, secret)).toEqual(OK);
		const stripped = timestampedSignature(secret.slice('whsec_'.length), NOW, LAYERCODE_BODY);
		expect(verify(header(NOW, stripped), body, secret)).toEqual(fail('signature mismatch'));
	});
});

describe('verifyTimestampedHmac: Stripe-style (v1) and ElevenLabs (v0)', () => {
	const SECRET = 'whsec_stripe_style_test_secret_0123456789';
	const body = Buffer.from(AGNTIX_BODY);

	test('Stripe-style v1 over `t.body` verifies', () => {
		const value = `t=${NOW},v1=${timestampedSignature(SECRET, NOW, AGNTIX_BODY)}`;
		expect(verifyTimestampedHmac(value, body, SECRET, { ...timing, signatureKey: 'v1' })).toEqual(OK);
	});

	test('Stripe sends a v0 test signature alongside v1: only v1 is checked', () => {
		const value = `t=${NOW},v1=${timestampedSignature(SECRET, NOW, AGNTIX_BODY)},v0=${'0'.repeat(64)}`;
		expect(verifyTimestampedHmac(value, body, SECRET, timing)).toEqual(OK);
	});

	test('sha512 when configured', () => {
		const value = `t=${NOW},v1=${timestampedSignature(SECRET, NOW, AGNTIX_BODY, 'sha512')}`;
		expect(verifyTimestampedHmac(value, body, SECRET, { ...timing, algorithm: 'sha512' })).toEqual(OK);
		expect(verifyTimestampedHmac(value, body, SECRET, timing)).toEqual(fail('signature mismatch'));
	});

	describe('ElevenLabs (`t=…,v0=…`, 30 minutes)', () => {
		const eleven = { toleranceSeconds: 1800, nowSeconds: NOW, signatureKey: 'v0' };
		const signedAt = (t: number) => `t=${t},v0=${timestampedSignature(SECRET, t, AGNTIX_BODY)}`;

		test('a genuine v0 signature verifies', () => {
			expect(verifyTimestampedHmac(signedAt(NOW), body, SECRET, eleven)).toEqual(OK);
		});

		test('29 minutes old passes, 30 minutes and one second does not', () => {
			expect(verifyTimestampedHmac(signedAt(NOW - 29 * 60), body, SECRET, eleven)).toEqual(OK);
			expect(verifyTimestampedHmac(signedAt(NOW - 1800), body, SECRET, eleven)).toEqual(OK);
			expect(verifyTimestampedHmac(signedAt(NOW - 1801), body, SECRET, eleven)).toEqual(fail('timestamp too old'));
			expect(verifyTimestampedHmac(signedAt(NOW + 1801), body, SECRET, eleven)).toEqual(
				fail('timestamp in the future'),
			);
		});

		test('a v1 key is not accepted when v0 is configured', () => {
			const value = `t=${NOW},v1=${timestampedSignature(SECRET, NOW, AGNTIX_BODY)}`;
			expect(verifyTimestampedHmac(value, body, SECRET, eleven)).toEqual(fail('malformed signature header'));
		});

		test('wrong secret and tampered body fail', () => {
			expect(verifyTimestampedHmac(signedAt(NOW), body, `${SECRET}x`, eleven)).toEqual(fail('signature mismatch'));
			expect(verifyTimestampedHmac(signedAt(NOW), tamper(AGNTIX_BODY), SECRET, eleven)).toEqual(
				fail('signature mismatch'),
			);
		});
	});
});

describe('parseKeyValueHeader', () => {
	test('keeps repeated keys in order and trims', () => {
		expect(parseKeyValueHeader('t=1, v1=ab ,v1=cd,v0=ef')).toEqual(
			new Map([
				['t', ['1']],
				['v1', ['ab', 'cd']],
				['v0', ['ef']],
			]),
		);
	});

	test('splits on the first = only (base64 padding survives)', () => {
		expect(parseKeyValueHeader('v1=abc==')!.get('v1')).toEqual(['abc==']);
	});

	test('skips parts with no key', () => {
		expect([...parseKeyValueHeader('garbage,=x,,y=')!.entries()]).toEqual([['y', ['']]]);
	});
});

// ---------------------------------------------------------------------------------------------
// Plain HMAC of the body (SpeakNode, GitHub-style)
// ---------------------------------------------------------------------------------------------

function bodySignature(algorithm: HmacAlgorithm, secret: string, body: string | Buffer, encoding: SignatureEncoding) {
	return createHmac(algorithm, Buffer.from(secret, 'utf8')).update(body).digest(encoding);
}

describe('verifyBodyHmac', () => {
	const SECRET = 'sn_wh_3b1f0c9a8e7d6c5b4a39281706f5e4d3';
	const OTHER = 'sn_wh_another_secret_entirely_00000000';
	const body = Buffer.from(SPEAKNODE_BODY);

	const combos: Array<[HmacAlgorithm, SignatureEncoding, string]> = [];
	for (const algorithm of ['sha256', 'sha512'] as const) {
		for (const encoding of ['hex', 'base64'] as const) {
			for (const prefix of ['', `${algorithm}=`]) combos.push([algorithm, encoding, prefix]);
		}
	}

	describe.each(combos)('%s, %s, prefix "%s"', (algorithm, encoding, prefix) => {
		const options = { algorithm, encoding, prefix: prefix || undefined };
		const good = bodySignature(algorithm, SECRET, SPEAKNODE_BODY, encoding);
		const verify = (value: string | undefined, payload: Buffer = body, secret = SECRET) =>
			verifyBodyHmac(value, payload, secret, options);

		test('a genuine signature verifies', () => {
			expect(verify(prefix + good)).toEqual(OK);
		});

		test('wrong secret → signature mismatch', () => {
			expect(verify(prefix + good, body, OTHER)).toEqual(fail('signature mismatch'));
		});

		test('one byte of the body changed → signature mismatch', () => {
			expect(verify(prefix + good, tamper(SPEAKNODE_BODY))).toEqual(fail('signature mismatch'));
		});

		test('one character of the signature changed → signature mismatch', () => {
			expect(verify(prefix + flipChar(good))).toEqual(fail('signature mismatch'));
		});

		test('a truncated signature → signature mismatch', () => {
			expect(verify(prefix + good.slice(0, good.length / 2))).toEqual(fail('signature mismatch'));
		});

		test('the other encoding of the right MAC → signature mismatch', () => {
			const other = bodySignature(algorithm, SECRET, SPEAKNODE_BODY, encoding === 'hex' ? 'base64' : 'hex');
			expect(verify(prefix + other)).toEqual(fail('signature mismatch'));
		});

		test('the other algorithm → signature mismatch', () => {
			const other = bodySignature(algorithm === 'sha256' ? 'sha512' : 'sha256', SECRET, SPEAKNODE_BODY, encoding);
			expect(verify(prefix + other)).toEqual(fail('signature mismatch'));
		});

		test('bad characters for the encoding → signature mismatch', () => {
			expect(verify(`${prefix}${encoding === 'hex' ? 'zz' : '*'}${good.slice(2)}`)).toEqual(
				fail('signature mismatch'),
			);
		});

		test('several signatures with one valid (rotation), comma- or space-separated → valid', () => {
			const old = prefix + bodySignature(algorithm, OTHER, SPEAKNODE_BODY, encoding);
			expect(verify(`${old},${prefix}${good}`)).toEqual(OK);
			expect(verify(`${prefix}${good} ${old}`)).toEqual(OK);
			expect(verify(`${old}, ${prefix}${good}`)).toEqual(OK);
		});

		test('several signatures, all invalid → signature mismatch', () => {
			const old = prefix + bodySignature(algorithm, OTHER, SPEAKNODE_BODY, encoding);
			expect(verify(`${old},${prefix}${flipChar(good)}`)).toEqual(fail('signature mismatch'));
		});

		test('empty or missing header → missing signature header', () => {
			expect(verify('')).toEqual(fail('missing signature header'));
			expect(verify(undefined)).toEqual(fail('missing signature header'));
		});

		test('separators only → malformed signature header', () => {
			expect(verify(' , ,')).toEqual(fail('malformed signature header'));
		});

		if (prefix) {
			test('the prefix is compared case-insensitively', () => {
				expect(verify(prefix.toUpperCase() + good)).toEqual(OK);
			});

			test('a signature without the configured prefix → malformed signature header', () => {
				expect(verify(good)).toEqual(fail('malformed signature header'));
				expect(verify(`sha1=${good}`)).toEqual(fail('malformed signature header'));
			});

			test('garbage → malformed signature header', () => {
				expect(verify('garbage')).toEqual(fail('malformed signature header'));
			});
		} else {
			test('garbage → signature mismatch (no prefix to look for)', () => {
				expect(verify('garbage')).toEqual(fail('signature mismatch'));
			});

			test('a prefixed header when none is configured → signature mismatch', () => {
				expect(verify(`${algorithm}=${good}`)).toEqual(fail('signature mismatch'));
			});
		}
	});

	test('SpeakNode: HMAC-SHA256 of the raw body, hex, no prefix', () => {
		const value = createHmac('sha256', SECRET).update(body).digest('hex');
		expect(verifyBodyHmac(value, body, SECRET, { algorithm: 'sha256', encoding: 'hex' })).toEqual(OK);
	});

	test('GitHub-style `sha256=` header verifies', () => {
		const value = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
		expect(verifyBodyHmac(value, body, SECRET, { algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' })).toEqual(OK);
	});

	test('an empty body verifies when signed as such', () => {
		const value = createHmac('sha256', SECRET).update('').digest('base64');
		expect(verifyBodyHmac(value, Buffer.alloc(0), SECRET, { algorithm: 'sha256', encoding: 'base64' })).toEqual(OK);
	});

	test('the same signature written another way (unpadded, URL-safe) is refused: only canonical base64', () => {
		const canonical = createHmac('sha256', SECRET).update(body).digest('base64');
		const options = { algorithm: 'sha256', encoding: 'base64' } as const;
		expect(verifyBodyHmac(canonical, body, SECRET, options)).toEqual(OK);
		expect(verifyBodyHmac(canonical.replace(/=+$/, ''), body, SECRET, options).valid).toBe(false);
		const urlSafe = createHmac('sha256', SECRET).update(body).digest('base64url');
		if (urlSafe !== canonical) expect(verifyBodyHmac(urlSafe, body, SECRET, options).valid).toBe(false);
	});

	test('a Standard Webhooks signature with its padding cut off is refused (the svix package refuses it too)', () => {
		const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
		const id = 'msg_truncated';
		const timestamp = String(Math.floor(Date.now() / 1000));
		const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
		const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
		expect(signature.endsWith('=')).toBe(true);
		const verify = (sig: string) =>
			verifyStandardWebhook({ id, timestamp, signature: `v1,${sig}`, body: Buffer.from(body) }, secret, { toleranceSeconds: 300 });
		expect(verify(signature)).toEqual(OK);
		expect(verify(signature.slice(0, -1))).toEqual({ valid: false, reason: 'signature mismatch' });
	});
});

// ---------------------------------------------------------------------------------------------
// Shared secret
// ---------------------------------------------------------------------------------------------

describe('verifySharedSecret', () => {
	const SECRET = 'vapi-shared-secret-5d8c1e';

	test('the exact secret passes', () => {
		expect(verifySharedSecret(SECRET, SECRET)).toEqual(OK);
	});

	test.each([
		['another value', 'not-the-secret'],
		['the same length, one character off', `${SECRET.slice(0, -1)}f`],
		['a prefix of the secret', SECRET.slice(0, 5)],
		['the secret with a suffix', `${SECRET}x`],
		['different case', SECRET.toUpperCase()],
		['surrounding spaces', ` ${SECRET} `],
	])('%s → secret mismatch', (_, value) => {
		expect(verifySharedSecret(value, SECRET)).toEqual(fail('secret mismatch'));
	});

	test('empty or missing header → missing secret header', () => {
		expect(verifySharedSecret('', SECRET)).toEqual(fail('missing secret header'));
		expect(verifySharedSecret(undefined, SECRET)).toEqual(fail('missing secret header'));
	});

	test('a whsec_-prefixed secret must be sent as is', () => {
		const secret = 'whsec_abcdefghijklmnop';
		expect(verifySharedSecret(secret, secret)).toEqual(OK);
		expect(verifySharedSecret(secret.slice('whsec_'.length), secret)).toEqual(fail('secret mismatch'));
	});
});

describe('safeEqual', () => {
	test('equal buffers', () => {
		expect(safeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
	});

	test('different lengths are unequal without throwing', () => {
		expect(safeEqual(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
		expect(safeEqual(Buffer.alloc(0), Buffer.from('a'))).toBe(false);
	});

	test('same length, different content', () => {
		expect(safeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
	});
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('properties', () => {
	const RUNS = { numRuns: 300 };
	const SW_SECRET = `whsec_${Buffer.from('property-test-secret-32-bytes!!!').toString('base64')}`;
	const TEXT_SECRET = 'property-text-secret';

	const anyBody = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));
	const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }));
	const nearNow = fc.integer({ min: NOW - TOLERANCE, max: NOW + TOLERANCE });
	const anyTimestamp = fc.oneof(nearNow.map(String), anyText);
	const base64Of = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('base64'));
	const hexOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
	/** Headers that look right (so verification gets as far as the MAC), and plain noise. */
	const standardSignature = fc.oneof(
		anyText,
		fc.array(base64Of(32).map((s) => `v1,${s}`), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' ')),
	);
	const timestampedHeader = fc.oneof(
		anyText,
		fc
			.tuple(nearNow, fc.array(hexOf(32), { minLength: 1, maxLength: 4 }))
			.map(([t, sigs]) => [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(',')),
	);
	const bodyHeader = fc.oneof(anyText, hexOf(32), base64Of(32), hexOf(32).map((s) => `sha256=${s}`));

	const never = (verdict: Verification) => {
		expect(verdict.valid).toBe(false);
		expect(typeof (verdict as { reason: string }).reason).toBe('string');
	};

	test('Standard Webhooks: random headers and bodies never verify and never throw', () => {
		fc.assert(
			fc.property(fc.option(anyText, { nil: undefined }), anyTimestamp, standardSignature, anyBody, (id, timestamp, signature, body) => {
				never(verifyStandardWebhook({ id, timestamp, signature, body }, SW_SECRET, timing));
			}),
			RUNS,
		);
	});

	test('Standard Webhooks: random secrets never throw', () => {
		fc.assert(
			fc.property(anyText, standardSignature, anyBody, (secret, signature, body) => {
				never(verifyStandardWebhook({ id: 'msg_1', timestamp: String(NOW), signature, body }, secret, timing));
			}),
			RUNS,
		);
	});

	test('Layercode / Stripe-style: random headers and bodies never verify and never throw', () => {
		fc.assert(
			fc.property(timestampedHeader, anyBody, fc.constantFrom('v1', 'v0'), (value, body, signatureKey) => {
				never(verifyTimestampedHmac(value, body, TEXT_SECRET, { ...timing, signatureKey }));
			}),
			RUNS,
		);
	});

	test('plain body HMAC: random headers and bodies never verify and never throw', () => {
		fc.assert(
			fc.property(
				bodyHeader,
				anyBody,
				fc.constantFrom<HmacAlgorithm>('sha256', 'sha512'),
				fc.constantFrom<SignatureEncoding>('hex', 'base64'),
				fc.constantFrom('', 'sha256='),
				(value, body, algorithm, encoding, prefix) => {
					never(verifyBodyHmac(value, body, TEXT_SECRET, { algorithm, encoding, prefix }));
				},
			),
			RUNS,
		);
	});

	test('shared secret: random headers never verify and never throw', () => {
		fc.assert(
			fc.property(anyText, (value) => {
				fc.pre(value !== TEXT_SECRET);
				never(verifySharedSecret(value, TEXT_SECRET));
			}),
			RUNS,
		);
	});

	const twoBodies = fc.tuple(anyBody, anyBody).filter(([a, b]) => !a.equals(b));

	test('Standard Webhooks: a valid signature over one body verifies it and never a different one', () => {
		const key = Buffer.from(SW_SECRET.slice('whsec_'.length), 'base64');
		fc.assert(
			fc.property(twoBodies, fc.stringMatching(/^msg_[A-Za-z0-9]{1,27}$/), nearNow, ([a, b], id, t) => {
				const signature = `v1,${createHmac('sha256', key).update(`${id}.${t}.`).update(a).digest('base64')}`;
				const message = { id, timestamp: String(t), signature };
				expect(verifyStandardWebhook({ ...message, body: a }, SW_SECRET, timing)).toEqual(OK);
				expect(verifyStandardWebhook({ ...message, body: b }, SW_SECRET, timing)).toEqual(fail('signature mismatch'));
			}),
			RUNS,
		);
	});

	test('timestamped HMAC: a valid signature over one body verifies it and never a different one', () => {
		fc.assert(
			fc.property(twoBodies, nearNow, fc.string({ minLength: MIN_SECRET_BYTES, maxLength: 40 }), ([a, b], t, secret) => {
				const value = `t=${t},v1=${timestampedSignature(secret, t, a)}`;
				expect(verifyTimestampedHmac(value, a, secret, timing)).toEqual(OK);
				expect(verifyTimestampedHmac(value, b, secret, timing)).toEqual(fail('signature mismatch'));
			}),
			RUNS,
		);
	});

	test('body HMAC: a valid signature over one body verifies it and never a different one', () => {
		fc.assert(
			fc.property(
				twoBodies,
				fc.constantFrom<HmacAlgorithm>('sha256', 'sha512'),
				fc.constantFrom<SignatureEncoding>('hex', 'base64'),
				([a, b], algorithm, encoding) => {
					const value = bodySignature(algorithm, TEXT_SECRET, a, encoding);
					const options = { algorithm, encoding };
					expect(verifyBodyHmac(value, a, TEXT_SECRET, options)).toEqual(OK);
					expect(verifyBodyHmac(value, b, TEXT_SECRET, options)).toEqual(fail('signature mismatch'));
				},
			),
			RUNS,
		);
	});
});

// ---------------------------------------------------------------------------------------------
// Audit findings (issue 12). Reasons are written out, not imported, so these run against older code.
// ---------------------------------------------------------------------------------------------

describe('issue 12, finding 3: signature headers are parsed in linear time, with a cap on entries', () => {
	const TOO_MANY = 'more than 32 entries in the signature header';
	const LC_SECRET = 'lc_whsec_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
	const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
	const SN_SECRET = 'sn_wh_3b1f0c9a8e7d6c5b4a39281706f5e4d3';
	const body = Buffer.from(LAYERCODE_BODY);
	const lcGood = timestampedSignature(LC_SECRET, NOW, LAYERCODE_BODY);
	const swGood = () =>
		createHmac('sha256', Buffer.from(SW_SECRET.slice('whsec_'.length), 'base64'))
			.update(`msg_1.${NOW}.`)
			.update(body)
			.digest('base64');
	const snGood = createHmac('sha256', SN_SECRET).update(body).digest('hex');
	const layercode = (value: string) => verifyTimestampedHmac(value, body, LC_SECRET, timing);
	const standard = (signature: string) =>
		verifyStandardWebhook({ id: 'msg_1', timestamp: String(NOW), signature, body }, SW_SECRET, timing);
	const bodyHmac = (value: string) => verifyBodyHmac(value, body, SN_SECRET, { algorithm: 'sha256', encoding: 'hex' });
	/** The median of five runs, in milliseconds, after one warm-up. */
	const medianMs = (run: () => unknown) => {
		run();
		const times = Array.from({ length: 5 }, () => {
			const start = performance.now();
			run();
			return performance.now() - start;
		});
		return times.sort((a, b) => a - b)[2];
	};
	/** `first` then `entry` repeated, joined by `separator`, up to 64 KiB. */
	const header64k = (first: string, entry: string, separator: string) =>
		first + (separator + entry).repeat(Math.floor((65_536 - first.length) / (separator.length + entry.length)));

	test('audit #3: Layercode / Stripe-style: 10,000 v1 entries are refused as too many, not checked one by one', () => {
		expect(layercode([`t=${NOW}`, ...Array<string>(10_000).fill(`v1=${lcGood}`)].join(','))).toEqual(fail(TOO_MANY));
	});

	test('audit #3: Layercode / Stripe-style: 32 entries with the genuine signature last verify, 33 are refused', () => {
		const old = timestampedSignature('lc_whsec_rotated_out_0000000000000000', NOW, LAYERCODE_BODY);
		const entries = (n: number) => [`t=${NOW}`, ...Array<string>(n - 2).fill(`v1=${old}`), `v1=${lcGood}`].join(',');
		expect(layercode(entries(32))).toEqual(OK);
		expect(layercode(entries(33))).toEqual(fail(TOO_MANY));
	});

	test('audit #3: Standard Webhooks: 10,000 v1 entries are refused as too many', () => {
		expect(standard(Array<string>(10_000).fill(`v1,${swGood()}`).join(' '))).toEqual(fail(TOO_MANY));
	});

	test('audit #3: Standard Webhooks: 32 entries with the genuine signature last verify, 33 are refused', () => {
		const entries = (n: number) => [...Array<string>(n - 1).fill(`v1,${Buffer.alloc(32).toString('base64')}`), `v1,${swGood()}`].join(' ');
		expect(standard(entries(32))).toEqual(OK);
		expect(standard(entries(33))).toEqual(fail(TOO_MANY));
	});

	test('audit #3: body HMAC: 10,000 signatures are refused as too many; 32 with the genuine one last verify', () => {
		expect(bodyHmac(Array<string>(10_000).fill(snGood).join(','))).toEqual(fail(TOO_MANY));
		expect(bodyHmac([...Array<string>(31).fill('0'.repeat(64)), snGood].join(', '))).toEqual(OK);
		expect(bodyHmac([...Array<string>(32).fill('0'.repeat(64)), snGood].join(', '))).toEqual(fail(TOO_MANY));
	});

	test('separators do not count as entries (empty parts were always skipped), whatever their number', () => {
		expect(layercode(`t=${NOW},${','.repeat(10_000)}v1=${lcGood}`)).toEqual(OK);
		expect(standard(`${' '.repeat(10_000)}v1,${swGood()}`)).toEqual(OK);
		expect(bodyHmac(`${', '.repeat(10_000)}${snGood}`)).toEqual(OK);
	});

	test('audit #3: parseKeyValueHeader refuses a header past the cap and is linear without one', () => {
		const many = [`t=${NOW}`, ...Array<string>(20_000).fill('v1=ab')].join(',');
		expect(parseKeyValueHeader(many)).toBeUndefined();
		// Without the cap the parse itself must stay linear: quadratic copying took seconds here.
		let parsed: ReturnType<typeof parseKeyValueHeader>;
		const ms = medianMs(() => (parsed = parseKeyValueHeader(many, Infinity)));
		expect(parsed!.get('v1')).toHaveLength(20_000);
		expect(ms).toBeLessThan(50);
	});

	test('audit #3: a 64 KiB header full of entries is refused within milliseconds under every scheme', () => {
		const timings = {
			layercode: medianMs(() => layercode(header64k(`t=${NOW}`, 'v1=', ','))),
			layercodeHex: medianMs(() => layercode(header64k(`t=${NOW}`, `v1=${lcGood}`, ','))),
			standardWebhooks: medianMs(() => standard(header64k(`v1,${swGood()}`, `v1,${swGood()}`, ' '))),
			bodyHmac: medianMs(() => bodyHmac(header64k('a', 'a', ','))),
		};
		expect(layercode(header64k(`t=${NOW}`, 'v1=', ','))).toEqual(fail(TOO_MANY));
		// A loose bound (the target is under 1 ms): the old quadratic parse took about a second.
		for (const ms of Object.values(timings)) expect(ms).toBeLessThan(25);
	});
});

describe('issue 12, finding 7: signing secrets shorter than 16 bytes are refused', () => {
	const TOO_SHORT = 'the configured signing secret is too short';
	const ID = 'msg_short';
	const body = Buffer.from(AGNTIX_BODY);
	const standardSignature = (key: Buffer) =>
		`v1,${createHmac('sha256', key).update(`${ID}.${NOW}.`).update(body).digest('base64')}`;
	const standard = (secret: string, signature: string) =>
		verifyStandardWebhook({ id: ID, timestamp: String(NOW), signature, body }, secret, timing);
	const bytes = (n: number) => Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz').subarray(0, n);

	test.each(['whsec_A', 'whsec_AA==', 'whsec_AAA', 'A'])(
		'audit #7: Standard Webhooks secret %s (decodes to 0-2 bytes) is refused, and an empty-key forgery fails',
		(secret) => {
			const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
			expect(standard(secret, standardSignature(key))).toEqual(fail(TOO_SHORT));
			expect(standard(secret, standardSignature(Buffer.alloc(0)))).toEqual(fail(TOO_SHORT));
		},
	);

	test('audit #7: Standard Webhooks: a key of 15 bytes is refused, 16 bytes verifies', () => {
		const secretOf = (n: number) => `whsec_${bytes(n).toString('base64')}`;
		expect(standard(secretOf(15), standardSignature(bytes(15)))).toEqual(fail(TOO_SHORT));
		expect(standard(secretOf(16), standardSignature(bytes(16)))).toEqual(OK);
		// svix signs with a 16-byte key the same way.
		expect(svixSign([{ secret: secretOf(16), id: ID, timestamp: NOW, body: AGNTIX_BODY }])[0]).toBe(
			standardSignature(bytes(16)),
		);
	});

	test('audit #7: the check is on bytes, not characters, and an absent key is the old base64 refusal', () => {
		expect(signingSecretProblem('ü'.repeat(8), 'text')).toBeUndefined(); // 16 bytes
		expect(signingSecretProblem('ü'.repeat(7), 'text')).toBe('too_short');
		expect(signingSecretProblem('x'.repeat(15), 'text')).toBe('too_short');
		expect(signingSecretProblem('', 'text')).toBe('too_short');
		expect(signingSecretProblem('whsec_', 'standardWebhooks')).toBe('not_base64');
		expect(signingSecretProblem('whsec_A', 'standardWebhooks')).toBe('too_short');
		expect(signingSecretProblem(`whsec_${bytes(16).toString('base64')}`, 'standardWebhooks')).toBeUndefined();
	});

	test.each(['a', 'short-secret', 'x'.repeat(15)])(
		'audit #7: text secret "%s" is refused by Layercode/Stripe-style, body HMAC and shared secret',
		(secret) => {
			const t = `t=${NOW},v1=${timestampedSignature(secret, NOW, AGNTIX_BODY)}`;
			expect(verifyTimestampedHmac(t, body, secret, timing)).toEqual(fail(TOO_SHORT));
			const hex = createHmac('sha256', secret).update(body).digest('hex');
			expect(verifyBodyHmac(hex, body, secret, { algorithm: 'sha256', encoding: 'hex' })).toEqual(fail(TOO_SHORT));
			expect(verifySharedSecret(secret, secret)).toEqual(fail(TOO_SHORT));
		},
	);

	test('a text secret of exactly 16 bytes verifies under every text scheme', () => {
		const secret = bytes(16).toString();
		const t = `t=${NOW},v1=${timestampedSignature(secret, NOW, AGNTIX_BODY)}`;
		expect(verifyTimestampedHmac(t, body, secret, timing)).toEqual(OK);
		const hex = createHmac('sha256', secret).update(body).digest('hex');
		expect(verifyBodyHmac(hex, body, secret, { algorithm: 'sha256', encoding: 'hex' })).toEqual(OK);
		expect(verifySharedSecret(secret, secret)).toEqual(OK);
	});
});

describe('verifyHmac (the building block for a platform’s own scheme)', () => {
	const SECRET = 'a-text-secret-of-32-bytes-xxxxxx';
	const NOW = 1_750_000_000;
	const mac = (text: string, algorithm = 'sha256', encoding: 'hex' | 'base64' = 'hex') =>
		createHmac(algorithm, SECRET).update(text).digest(encoding);
	const check = (overrides: Partial<Parameters<typeof verifyHmac>[0]> = {}) =>
		verifyHmac({ secret: SECRET, signed: [`${NOW}.`, Buffer.from('{"a":1}')], signatures: [mac(`${NOW}.{"a":1}`)], timestampSeconds: NOW, toleranceSeconds: 300, nowSeconds: NOW, ...overrides });

	test('the HMAC of the signed parts, concatenated, is accepted; any other text is not', () => {
		expect(check()).toEqual({ valid: true });
		expect(check({ signed: [`${NOW}.`, Buffer.from('{"a":2}')] })).toEqual({ valid: false, reason: 'signature mismatch' });
		expect(check({ signatures: ['zz', mac(`${NOW}.{"a":1}`)] })).toEqual({ valid: true }); // rotation: any one matches
	});

	test('base64 and sha512 when asked', () => {
		const text = `${NOW}.{"a":1}`;
		expect(check({ signatures: [mac(text, 'sha512', 'base64')], algorithm: 'sha512', encoding: 'base64' })).toEqual({ valid: true });
		expect(check({ signatures: [mac(text, 'sha512', 'base64')] })).toEqual({ valid: false, reason: 'signature mismatch' });
	});

	test('stale, future and unreadable signing times are refused; without a time none is checked', () => {
		expect(check({ nowSeconds: NOW + 301 })).toEqual({ valid: false, reason: 'timestamp too old' });
		expect(check({ nowSeconds: NOW - 301 })).toEqual({ valid: false, reason: 'timestamp in the future' });
		expect(check({ timestampSeconds: NaN })).toEqual({ valid: false, reason: 'invalid timestamp' });
		expect(check({ toleranceSeconds: undefined })).toEqual({ valid: false, reason: 'invalid tolerance' });
		expect(check({ timestampSeconds: undefined, nowSeconds: NOW + 10_000 })).toEqual({ valid: true });
	});

	test('a short secret, no signature or too many are refused before any HMAC', () => {
		expect(check({ secret: 'short' })).toEqual({ valid: false, reason: 'the configured signing secret is too short' });
		expect(check({ signatures: [] })).toEqual({ valid: false, reason: 'malformed signature header' });
		expect(check({ signatures: Array.from({ length: 33 }, () => 'ab') })).toEqual({
			valid: false,
			reason: 'more than 32 entries in the signature header',
		});
	});
});
