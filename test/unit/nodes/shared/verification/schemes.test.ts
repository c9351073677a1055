import { createHmac } from 'node:crypto';

import { fixtureText } from '../../../helpers/fixtures';
import { svixSign } from '../../../helpers/svix';
import { PLATFORMS } from '../../../../../nodes/shared/platforms';
import { header, standardWebhookHeaders, type IncomingHttpHeaders } from '../../../../../nodes/shared/verification/headers';
import { secretProblem, type VerificationSettings } from '../../../../../nodes/shared/verification/schemes';

/** A scheme's `value`, as stored in the trigger's Verification parameter. */
type VerificationMethod = string;
const findScheme = (method: VerificationMethod) =>
	PLATFORMS.flatMap((platform) => platform.verification).find((offered) => offered.value === method);
const scheme = (method: VerificationMethod) => {
	const found = findScheme(method);
	if (!found) throw new Error(`no scheme ${method}`);
	return found;
};

/** One request checked by the scheme the settings name, as the trigger does. */
const verifyRequest = (
	{ method, ...settings }: VerificationSettings & { method: VerificationMethod },
	headers: IncomingHttpHeaders,
	body: Buffer,
	secret: string,
) => {
	const found = findScheme(method);
	// As the trigger: `none` checks nothing; a value no platform offers is refused before this point.
	if (found?.key === 'none') return { valid: true };
	return found?.verify?.({ headers, body }, secret, settings) ?? { valid: false, reason: 'unsupported verification method' };
};

// verifyRequest reads the real clock: every signature here is made "now".
const now = () => Math.floor(Date.now() / 1000);

const settings = (
	method: VerificationMethod,
	overrides: Partial<VerificationSettings> = {},
): VerificationSettings & { method: VerificationMethod } => ({
	method,
	header: '',
	algorithm: 'sha256',
	encoding: 'hex',
	prefix: '',
	signatureKey: 'v1',
	toleranceSeconds: 300,
	...overrides,
});

const AGNTIX_BODY = fixtureText('agntix/session.ended');
const LAYERCODE_BODY = fixtureText('layercode/message');
const SPEAKNODE_BODY = fixtureText('speaknode/ConversationComplete');

describe('header()', () => {
	const headers: IncomingHttpHeaders = { 'x-signature': 'abc', 'x-multi': ['one', 'two'] };

	test('looks the name up in lower case, as node delivers header names', () => {
		expect(header(headers, 'X-Signature')).toBe('abc');
		expect(header(headers, 'x-signature')).toBe('abc');
	});

	test('a repeated header is joined with a space', () => {
		expect(header(headers, 'x-multi')).toBe('one two');
	});

	test('absent → undefined', () => {
		expect(header(headers, 'x-missing')).toBeUndefined();
		expect(header(headers, '')).toBeUndefined();
	});

	test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
		'audit #4: a Signature Header named %s reads as absent, not as Object.prototype\'s member',
		(name) => {
			// As node builds it: a plain object, prototype included.
			const incoming: IncomingHttpHeaders = { 'content-type': 'application/json' };
			expect(header(incoming, name)).toBeUndefined();
			const verification = verifyRequest(settings('bodyHmac', { header: name }), incoming, Buffer.from(SPEAKNODE_BODY), 'a-signing-secret-of-32-bytes-xxx');
			expect(verification).toEqual({ valid: false, reason: 'missing signature header' });
		},
	);
});

describe('standardWebhookHeaders()', () => {
	test('reads the svix- names', () => {
		expect(standardWebhookHeaders({ 'svix-id': 'a', 'svix-timestamp': '1', 'svix-signature': 'v1,x' })).toEqual({
			id: 'a',
			timestamp: '1',
			signature: 'v1,x',
		});
	});

	test('reads the webhook- names', () => {
		expect(
			standardWebhookHeaders({ 'webhook-id': 'b', 'webhook-timestamp': '2', 'webhook-signature': 'v1,y' }),
		).toEqual({ id: 'b', timestamp: '2', signature: 'v1,y' });
	});

	test('prefers the svix- names when both are sent', () => {
		expect(
			standardWebhookHeaders({
				'svix-id': 'a',
				'svix-timestamp': '1',
				'svix-signature': 'v1,x',
				'webhook-id': 'b',
				'webhook-timestamp': '2',
				'webhook-signature': 'v1,y',
			}),
		).toEqual({ id: 'a', timestamp: '1', signature: 'v1,x' });
	});

	test('nothing sent → all undefined', () => {
		expect(standardWebhookHeaders({})).toEqual({ id: undefined, timestamp: undefined, signature: undefined });
	});
});

describe('verifyRequest: standardWebhooks (Agntix via Svix)', () => {
	const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
	const OTHER = 'whsec_ZmFrZS1vdGhlci1zZWNyZXQtZm9yLXRlc3Rz';
	const ID = 'msg_2yZwUhtgs5Ai8T9yRQJXA4ms1xo';
	const body = Buffer.from(AGNTIX_BODY);
	let timestamp: number;
	let good: string;
	let wrong: string;
	let stale: string;

	beforeAll(() => {
		timestamp = now();
		[good, wrong, stale] = svixSign([
			{ secret: SECRET, id: ID, timestamp, body: AGNTIX_BODY },
			{ secret: OTHER, id: ID, timestamp, body: AGNTIX_BODY },
			{ secret: SECRET, id: ID, timestamp: timestamp - 600, body: AGNTIX_BODY },
		]);
	});

	const svixHeaders = (signature: string, t = timestamp): IncomingHttpHeaders => ({
		'content-type': 'application/json',
		'svix-id': ID,
		'svix-timestamp': String(t),
		'svix-signature': signature,
	});
	const webhookHeaders = (signature: string, t = timestamp): IncomingHttpHeaders => ({
		'content-type': 'application/json',
		'webhook-id': ID,
		'webhook-timestamp': String(t),
		'webhook-signature': signature,
	});

	test.each([
		['svix-*', svixHeaders],
		['webhook-*', webhookHeaders],
	])('a genuine delivery with %s headers verifies', (_, headersOf) => {
		expect(verifyRequest(settings('standardWebhooks'), headersOf(good), body, SECRET)).toEqual({ valid: true });
	});

	test.each([
		['svix-*', svixHeaders],
		['webhook-*', webhookHeaders],
	])('with %s headers: wrong secret, tampered body, stale timestamp, missing headers fail', (_, headersOf) => {
		const check = (headers: IncomingHttpHeaders, payload = body) =>
			verifyRequest(settings('standardWebhooks'), headers, payload, SECRET);
		expect(check(headersOf(wrong))).toEqual({ valid: false, reason: 'signature mismatch' });
		expect(check(headersOf(good), Buffer.from(AGNTIX_BODY.replace('RESOLVED', 'RESOLVEd')))).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
		expect(check(headersOf(stale, timestamp - 600))).toEqual({ valid: false, reason: 'timestamp too old' });
		expect(check({ 'content-type': 'application/json' })).toEqual({
			valid: false,
			reason: 'missing signature headers',
		});
	});

	test('the secret without its whsec_ prefix works as well', () => {
		expect(verifyRequest(settings('standardWebhooks'), svixHeaders(good), body, SECRET.slice(6))).toEqual({
			valid: true,
		});
	});

	test('rotation: the old and the new signature in one header', () => {
		expect(verifyRequest(settings('standardWebhooks'), svixHeaders(`${wrong} ${good}`), body, SECRET)).toEqual({
			valid: true,
		});
	});

	test('a repeated signature header is joined, so rotation across two header lines still works', () => {
		const headers = { ...svixHeaders(good), 'svix-signature': [wrong, good] };
		expect(verifyRequest(settings('standardWebhooks'), headers, body, SECRET)).toEqual({ valid: true });
	});

	test('the tolerance setting is applied', () => {
		const relaxed = settings('standardWebhooks', { toleranceSeconds: 900 });
		expect(verifyRequest(relaxed, svixHeaders(stale, timestamp - 600), body, SECRET)).toEqual({ valid: true });
	});
});

describe('verifyRequest: layercodeSignature', () => {
	const SECRET = 'layercode-webhook-secret-7f3a';
	const body = Buffer.from(LAYERCODE_BODY);
	const signed = (t: number, secret = SECRET, payload = LAYERCODE_BODY) =>
		`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex')}`;

	test('a genuine delivery verifies, read from layercode-signature whatever the Header setting says', () => {
		const headers = { 'layercode-signature': signed(now()) };
		expect(verifyRequest(settings('layercodeSignature'), headers, body, SECRET)).toEqual({ valid: true });
		expect(verifyRequest(settings('layercodeSignature', { header: 'x-other' }), headers, body, SECRET)).toEqual({
			valid: true,
		});
	});

	test('the failure matrix', () => {
		const check = (headers: IncomingHttpHeaders, payload = body) =>
			verifyRequest(settings('layercodeSignature'), headers, payload, SECRET);
		expect(check({ 'layercode-signature': signed(now(), 'wrong') })).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
		expect(check({ 'layercode-signature': signed(now()) }, Buffer.from(`${LAYERCODE_BODY} `))).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
		expect(check({ 'layercode-signature': signed(now() - 301) })).toEqual({
			valid: false,
			reason: 'timestamp too old',
		});
		expect(check({ 'layercode-signature': signed(now() + 3600) })).toEqual({
			valid: false,
			reason: 'timestamp in the future',
		});
		expect(check({ 'layercode-signature': 'garbage' })).toEqual({
			valid: false,
			reason: 'malformed signature header',
		});
		expect(check({})).toEqual({ valid: false, reason: 'missing signature header' });
		// Another scheme's header is not read.
		expect(check({ 'x-signature': signed(now()) })).toEqual({ valid: false, reason: 'missing signature header' });
	});
});

describe('verifyRequest: stripeStyle', () => {
	const SECRET = 'whsec_elevenlabs_or_stripe_secret';
	const body = Buffer.from(AGNTIX_BODY);
	const signature = (t: number) => createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex');

	test('v1 under a configured header name (any case)', () => {
		const config = settings('stripeStyle', { header: 'Stripe-Signature' });
		const headers = { 'stripe-signature': `t=${now()},v1=${signature(now())}` };
		expect(verifyRequest(config, headers, body, SECRET)).toEqual({ valid: true });
	});

	test('v0 (ElevenLabs) with a 30 minute window', () => {
		const config = settings('stripeStyle', { header: 'ElevenLabs-Signature', signatureKey: 'v0', toleranceSeconds: 1800 });
		const t = now() - 25 * 60;
		expect(verifyRequest(config, { 'elevenlabs-signature': `t=${t},v0=${signature(t)}` }, body, SECRET)).toEqual({
			valid: true,
		});
		const old = now() - 31 * 60;
		expect(verifyRequest(config, { 'elevenlabs-signature': `t=${old},v0=${signature(old)}` }, body, SECRET)).toEqual({
			valid: false,
			reason: 'timestamp too old',
		});
	});

	test('the algorithm setting is applied', () => {
		const config = settings('stripeStyle', { header: 'x-sig', algorithm: 'sha512' });
		const t = now();
		const sha512 = createHmac('sha512', SECRET).update(`${t}.`).update(body).digest('hex');
		expect(verifyRequest(config, { 'x-sig': `t=${t},v1=${sha512}` }, body, SECRET)).toEqual({ valid: true });
		expect(verifyRequest(config, { 'x-sig': `t=${t},v1=${signature(t)}` }, body, SECRET)).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	test('no header configured → missing signature header', () => {
		expect(verifyRequest(settings('stripeStyle'), { 'stripe-signature': 'x' }, body, SECRET)).toEqual({
			valid: false,
			reason: 'missing signature header',
		});
	});
});

describe('verifyRequest: bodyHmac (SpeakNode)', () => {
	const SECRET = 'speaknode-subscription-secret';
	const body = Buffer.from(SPEAKNODE_BODY);
	const hex = createHmac('sha256', SECRET).update(body).digest('hex');

	test('hex without prefix under the configured header', () => {
		const config = settings('bodyHmac', { header: 'X-SpeakNode-Signature' });
		expect(verifyRequest(config, { 'x-speaknode-signature': hex }, body, SECRET)).toEqual({ valid: true });
		expect(verifyRequest(config, { 'x-speaknode-signature': hex }, Buffer.from(`${SPEAKNODE_BODY}\n`), SECRET)).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
		expect(verifyRequest(config, {}, body, SECRET)).toEqual({ valid: false, reason: 'missing signature header' });
	});

	test('GitHub-style sha256= prefix and base64 / sha512 settings are honoured', () => {
		const prefixed = settings('bodyHmac', { header: 'x-hub-signature-256', prefix: 'sha256=' });
		expect(verifyRequest(prefixed, { 'x-hub-signature-256': `sha256=${hex}` }, body, SECRET)).toEqual({ valid: true });
		const b64 = settings('bodyHmac', { header: 'x-sig', encoding: 'base64', algorithm: 'sha512' });
		const value = createHmac('sha512', SECRET).update(body).digest('base64');
		expect(verifyRequest(b64, { 'x-sig': value }, body, SECRET)).toEqual({ valid: true });
	});
});

describe('verifyRequest: sharedSecret, none and unknown methods', () => {
	test('shared secret (Vapi)', () => {
		const config = settings('sharedSecret', { header: 'X-Vapi-Secret' });
		const secret = 'vapi-server-s3cret-0a1b2c';
		expect(verifyRequest(config, { 'x-vapi-secret': secret }, Buffer.alloc(0), secret)).toEqual({ valid: true });
		expect(verifyRequest(config, { 'x-vapi-secret': 'nope' }, Buffer.alloc(0), secret)).toEqual({
			valid: false,
			reason: 'secret mismatch',
		});
		expect(verifyRequest(config, {}, Buffer.alloc(0), secret)).toEqual({
			valid: false,
			reason: 'missing secret header',
		});
	});

	test('none accepts anything', () => {
		expect(verifyRequest(settings('none'), {}, Buffer.from('anything'), '')).toEqual({ valid: true });
	});

	test('an unknown method fails closed', () => {
		expect(
			verifyRequest(settings('rot13' as VerificationMethod), {}, Buffer.from('{}'), 'secret'),
		).toEqual({ valid: false, reason: 'unsupported verification method' });
	});
});

describe('audit #5: a tolerance that is not a positive number never turns the replay check off', () => {
	test.each([NaN, Infinity, -300, 0])('tolerance %s: even a fresh, genuine Layercode signature is refused', (toleranceSeconds) => {
		const secret = 'layercode-webhook-secret-0123456789';
		const t = now();
		const signature = createHmac('sha256', secret).update(`${t}.${LAYERCODE_BODY}`).digest('hex');
		const headers = { 'layercode-signature': `t=${t},v1=${signature}` };
		expect(verifyRequest(settings('layercodeSignature', { toleranceSeconds: 300 }), headers, Buffer.from(LAYERCODE_BODY), secret)).toEqual({ valid: true });
		expect(verifyRequest(settings('layercodeSignature', { toleranceSeconds }), headers, Buffer.from(LAYERCODE_BODY), secret)).toEqual({ valid: false, reason: 'invalid tolerance' });
	});
});

describe('issue 12, findings 3 and 7, through verifyRequest', () => {
	const TOO_SHORT = { valid: false, reason: 'the configured signing secret is too short' };
	const body = Buffer.from(LAYERCODE_BODY);
	const SHORT_SW = 'whsec_A';
	const SHORT_TEXT = 'fifteen-bytes!!';
	const stamped = (secret: string, t = now()) =>
		`t=${t},v1=${createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')}`;
	const configs: Array<[VerificationMethod, Partial<VerificationSettings>, (secret: string) => IncomingHttpHeaders]> = [
		['layercodeSignature', {}, (secret) => ({ 'layercode-signature': stamped(secret) })],
		['stripeStyle', { header: 'stripe-signature' }, (secret) => ({ 'stripe-signature': stamped(secret) })],
		['bodyHmac', { header: 'x-sig' }, (secret) => ({ 'x-sig': createHmac('sha256', secret).update(body).digest('hex') })],
		['sharedSecret', { header: 'x-vapi-secret' }, (secret) => ({ 'x-vapi-secret': secret })],
	];

	test('audit #3: a Layercode header with 10,000 v1 entries is refused as too many', () => {
		const value = [`t=${now()}`, ...Array<string>(10_000).fill(`v1=${'0'.repeat(64)}`)].join(',');
		const headers = { 'layercode-signature': value };
		expect(verifyRequest(settings('layercodeSignature'), headers, body, 'layercode-webhook-secret-7f3a')).toEqual({
			valid: false,
			reason: 'more than 32 entries in the signature header',
		});
	});

	test('audit #7: whsec_A is refused per request, even with a signature made with the empty key', () => {
		const t = now();
		const forged = `v1,${createHmac('sha256', Buffer.alloc(0)).update(`msg_1.${t}.`).update(body).digest('base64')}`;
		const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(t), 'webhook-signature': forged };
		expect(verifyRequest(settings('standardWebhooks'), headers, body, SHORT_SW)).toEqual(TOO_SHORT);
	});

	test.each(configs)('audit #7: %s refuses a 15-byte secret per request, even correctly signed', (method, overrides, sign) => {
		expect(verifyRequest(settings(method, overrides), sign(SHORT_TEXT), body, SHORT_TEXT)).toEqual(TOO_SHORT);
		const longer = `${SHORT_TEXT}!`;
		expect(verifyRequest(settings(method, overrides), sign(longer), body, longer)).toEqual({ valid: true });
	});

	test('audit #7: secretProblem explains a short or malformed secret at publish time, never quoting it', () => {
		const swShort = secretProblem(scheme('standardWebhooks'), SHORT_SW);
		expect(swShort).toMatch(/too short.*at least 16 bytes/);
		expect(secretProblem(scheme('standardWebhooks'), 'whsec_!!!not-base64')).toMatch(/not a Standard Webhooks secret/);
		for (const method of ['layercodeSignature', 'stripeStyle', 'bodyHmac', 'sharedSecret'] as const) {
			const problem = secretProblem(scheme(method), SHORT_TEXT);
			expect(problem).toMatch(/too short.*at least 16 bytes/);
			expect(problem).not.toContain(SHORT_TEXT);
			expect(secretProblem(scheme(method), `${SHORT_TEXT}!`)).toBeUndefined();
		}
		expect(swShort).not.toContain('whsec_A');
		expect(secretProblem(scheme('standardWebhooks'), 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD')).toBeUndefined();
		// Methods without a signing secret have nothing to check here.
		expect(secretProblem(scheme('none'), '')).toBeUndefined();
		expect(secretProblem(scheme('jwt'), '')).toBeUndefined();
	});
});
