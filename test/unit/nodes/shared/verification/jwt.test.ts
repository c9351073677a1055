import { spawnSync } from 'node:child_process';
import {
	createHmac,
	generateKeyPairSync,
	sign as nodeSign,
	type JsonWebKey,
	type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

import {
	checkJwtKeyMaterial,
	JWKS_MAX_URLS,
	JWT_ALGORITHMS,
	resetJwksCache,
	verifyBearerToken,
	type FetchJson,
	type JwtAlgorithm,
	type JwtSettings,
	type JwtVerification,
} from '../../../../../nodes/shared/verification/jwt';

// ---------------------------------------------------------------------------------------------
// Tokens are signed by `jose` (the reference implementation). jose 6 ships ES modules only, which
// Jest (CommonJS, Node < 24.9) cannot load, so every token is signed in one child Node process.

const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');

interface SignOp {
	alg: string;
	/** A private JWK (RS/PS/ES/EdDSA) or an HMAC secret (its UTF-8 bytes). */
	key: { jwk: JsonWebKey } | { secret: string };
	/** Extra protected-header parameters (`alg` is set from `alg`). */
	header?: Record<string, unknown>;
	payload: Record<string, unknown>;
}

const JOSE_SCRIPT = `
import { SignJWT, importJWK } from 'jose';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const tokens = {};
for (const [name, op] of Object.entries(JSON.parse(input))) {
	const key = 'secret' in op.key ? new TextEncoder().encode(op.key.secret) : await importJWK(op.key.jwk, op.alg);
	tokens[name] = await new SignJWT(op.payload).setProtectedHeader({ ...op.header, alg: op.alg }).sign(key);
}
process.stdout.write(JSON.stringify(tokens));
`;

function joseSign(ops: Record<string, SignOp>): Record<string, string> {
	const child = spawnSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', JOSE_SCRIPT], {
		cwd: REPO_ROOT,
		input: JSON.stringify(ops),
		encoding: 'utf8',
		timeout: 30_000,
		maxBuffer: 64 * 1024 * 1024,
	});
	if (child.status !== 0) throw new Error(`the jose process failed (${child.status}): ${child.stderr || child.error}`);
	return JSON.parse(child.stdout) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Keys, claims, settings

// A fixed clock: every time below is relative to it.
const NOW = 1_750_000_000;
const LEEWAY = 60;
const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = 'voice-agent-webhooks';
const SECRET = 'a shared secret that is comfortably longer than 32 bytes';
const JWKS_URL = 'https://issuer.example.com/.well-known/jwks.json';

const ASYMMETRIC: JwtAlgorithm[] = JWT_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));
const SYMMETRIC: JwtAlgorithm[] = ['HS256', 'HS384', 'HS512'];

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaOther = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaSmall = generateKeyPairSync('rsa', { modulusLength: 1024 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p256Other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p256Rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed25519 = generateKeyPairSync('ed25519');
const ed25519Other = generateKeyPairSync('ed25519');
const ed448 = generateKeyPairSync('ed448');

const X509 = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'jwt', 'x509-rsa.json'), 'utf8')) as {
	certificatePem: string;
	privateJwk: JsonWebKey;
};

function keyPairFor(alg: JwtAlgorithm): KeyPair {
	if (alg.startsWith('RS') || alg.startsWith('PS')) return rsa;
	if (alg === 'ES256') return p256;
	if (alg === 'ES384') return p384;
	if (alg === 'ES512') return p521;
	return ed25519;
}

/** The `kid` of each key in the JWKS. */
function kidFor(alg: JwtAlgorithm): string {
	if (alg.startsWith('RS') || alg.startsWith('PS')) return 'rsa-1';
	if (alg.startsWith('ES')) return `ec-${alg.slice(2)}`;
	return 'ed25519-1';
}

const spki = (pair: KeyPair) => pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const privateJwk = (pair: KeyPair) => pair.privateKey.export({ format: 'jwk' });
const publicJwk = (pair: KeyPair, extra: Record<string, unknown> = {}) => ({ ...pair.publicKey.export({ format: 'jwk' }), ...extra });

/** The issuer's JWKS: one key per family and curve, as a real issuer would publish them. */
const JWKS = {
	keys: [
		publicJwk(rsa, { kid: 'rsa-1', use: 'sig' }),
		publicJwk(p256, { kid: 'ec-256', alg: 'ES256', use: 'sig' }),
		publicJwk(p384, { kid: 'ec-384', alg: 'ES384' }),
		publicJwk(p521, { kid: 'ec-512', alg: 'ES512', key_ops: ['verify'] }),
		publicJwk(ed25519, { kid: 'ed25519-1', alg: 'EdDSA' }),
		publicJwk(ed448, { kid: 'ed448-1' }),
	],
};

const CLAIMS = { iss: ISSUER, aud: AUDIENCE, sub: 'caller-42', iat: NOW - 5, nbf: NOW - 5, exp: NOW + 300 };
/** For the cache tests, which move the clock by many minutes. */
const LONG_CLAIMS = { ...CLAIMS, exp: NOW + 24 * 3600 };

const BASE = { algorithms: [...JWT_ALGORITHMS], issuer: ISSUER, audience: AUDIENCE, leewaySeconds: LEEWAY };
const secretSettings = (over: Partial<JwtSettings> = {}): JwtSettings => ({ ...BASE, keyType: 'secret', secret: SECRET, ...over });
const pemSettings = (publicKey: string, over: Partial<JwtSettings> = {}): JwtSettings => ({
	...BASE,
	keyType: 'publicKey',
	publicKey,
	...over,
});
const jwksSettings = (over: Partial<JwtSettings> = {}): JwtSettings => ({ ...BASE, keyType: 'jwks', jwksUrl: JWKS_URL, ...over });

interface JwksEndpoint {
	document: unknown;
	failure: Error | undefined;
	urls: string[];
	readonly calls: number;
	fetchJson: FetchJson;
}

/** A fake JWKS endpoint: counts fetches, can fail, serves a copy of `document`. */
function jwksEndpoint(initial: unknown = JWKS): JwksEndpoint {
	const endpoint: JwksEndpoint = {
		document: initial,
		failure: undefined as Error | undefined,
		urls: [] as string[],
		get calls() {
			return endpoint.urls.length;
		},
		fetchJson: (async (url: string) => {
			endpoint.urls.push(url);
			if (endpoint.failure) throw endpoint.failure;
			return typeof endpoint.document === 'string' ? endpoint.document : JSON.parse(JSON.stringify(endpoint.document));
		}) as FetchJson,
	};
	return endpoint;
}

/** For settings that must never fetch. */
const noFetch: FetchJson = async () => {
	throw new Error('no fetch expected');
};

// ---------------------------------------------------------------------------------------------
// Hand-made tokens (for what jose refuses to produce)

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const b64json = (value: unknown) => b64(JSON.stringify(value));

/** HS256 over arbitrary header and payload segments: well signed, whatever the content. */
function hs256(headerSegment: string, payloadSegment: string, secret = SECRET): string {
	const signature = createHmac('sha256', secret).update(`${headerSegment}.${payloadSegment}`).digest();
	return `${headerSegment}.${payloadSegment}.${b64(signature)}`;
}

/** node:crypto signing, for keys jose will not use (Ed448, RSA-1024). */
function nodeSigned(alg: 'EdDSA' | 'RS256', privateKey: KeyObject, header: Record<string, unknown>, payload: unknown): string {
	const input = `${b64json({ ...header, alg })}.${b64json(payload)}`;
	const signature = nodeSign(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), privateKey);
	return `${input}.${b64(signature)}`;
}

// ---------------------------------------------------------------------------------------------
// What jose signs

const PLAN: Record<string, SignOp> = {};
const plan = (name: string, op: SignOp) => (PLAN[name] = op);
const withSecret = (payload: Record<string, unknown>, header: Record<string, unknown> = {}, secret = SECRET): SignOp => ({
	alg: 'HS256',
	key: { secret },
	header,
	payload,
});

for (const alg of ASYMMETRIC) {
	const pair = keyPairFor(alg);
	plan(alg, { alg, key: { jwk: privateJwk(pair) }, header: { kid: kidFor(alg), typ: 'JWT' }, payload: CLAIMS });
	plan(`${alg} long`, { alg, key: { jwk: privateJwk(pair) }, header: { kid: kidFor(alg) }, payload: LONG_CLAIMS });
	plan(`${alg} no kid`, { alg, key: { jwk: privateJwk(pair) }, payload: LONG_CLAIMS });
	plan(`${alg} forged kid`, { alg, key: { jwk: privateJwk(pair) }, header: { kid: 'forged' }, payload: LONG_CLAIMS });
}
for (const alg of SYMMETRIC) plan(alg, { alg, key: { secret: SECRET }, header: { typ: 'JWT' }, payload: CLAIMS });

// Claims (HS256, and a few asymmetric ones to show the checks do not depend on the family).
const { exp: _exp, ...claimsWithoutExp } = CLAIMS;
const { nbf: _nbf, ...claimsWithoutNbf } = CLAIMS;
const { iss: _iss, ...claimsWithoutIss } = CLAIMS;
const { aud: _aud, ...claimsWithoutAud } = CLAIMS;
plan('expired', withSecret({ ...CLAIMS, exp: NOW - LEEWAY - 1 }));
plan('expired at the leeway edge', withSecret({ ...CLAIMS, exp: NOW - LEEWAY }));
plan('expired within leeway', withSecret({ ...CLAIMS, exp: NOW - LEEWAY + 1 }));
plan('nbf future', withSecret({ ...CLAIMS, nbf: NOW + LEEWAY + 1 }));
plan('nbf within leeway', withSecret({ ...CLAIMS, nbf: NOW + LEEWAY }));
plan('iat future', withSecret({ ...claimsWithoutNbf, iat: NOW + LEEWAY + 1 }));
plan('iat within leeway', withSecret({ ...claimsWithoutNbf, iat: NOW + LEEWAY }));
plan('exp string', withSecret({ ...CLAIMS, exp: String(NOW + 300) }));
plan('nbf null', withSecret({ ...CLAIMS, nbf: null }));
plan('iat object', withSecret({ ...CLAIMS, iat: { seconds: NOW } }));
plan('no exp', withSecret(claimsWithoutExp));
plan('fractional times', withSecret({ ...CLAIMS, iat: NOW - 0.5, exp: NOW + 0.5 }));
plan('wrong issuer', withSecret({ ...CLAIMS, iss: 'https://evil.example.com/' }));
plan('issuer differs by a slash', withSecret({ ...CLAIMS, iss: 'https://issuer.example.com' }));
plan('no issuer', withSecret(claimsWithoutIss));
plan('wrong audience', withSecret({ ...CLAIMS, aud: 'someone-else' }));
plan('audience list', withSecret({ ...CLAIMS, aud: ['someone-else', AUDIENCE] }));
plan('wrong audience list', withSecret({ ...CLAIMS, aud: ['someone-else', 'another'] }));
plan('no audience', withSecret(claimsWithoutAud));
plan('ES256 expired', { alg: 'ES256', key: { jwk: privateJwk(p256) }, payload: { ...CLAIMS, exp: NOW - 3600 } });
plan('PS256 wrong audience', { alg: 'PS256', key: { jwk: privateJwk(rsa) }, header: { kid: 'rsa-1' }, payload: { ...CLAIMS, aud: ['x'] } });
plan('EdDSA nbf future', { alg: 'EdDSA', key: { jwk: privateJwk(ed25519) }, payload: { ...CLAIMS, nbf: NOW + 3600 } });

// Wrong keys.
plan('HS256 other secret', withSecret(CLAIMS, {}, `${SECRET}!`));
plan('RS256 other key', { alg: 'RS256', key: { jwk: privateJwk(rsaOther) }, header: { kid: 'rsa-1' }, payload: CLAIMS });
plan('PS512 other key', { alg: 'PS512', key: { jwk: privateJwk(rsaOther) }, header: { kid: 'rsa-1' }, payload: CLAIMS });
plan('ES256 other key', { alg: 'ES256', key: { jwk: privateJwk(p256Other) }, header: { kid: 'ec-256' }, payload: CLAIMS });
plan('EdDSA other key', { alg: 'EdDSA', key: { jwk: privateJwk(ed25519Other) }, header: { kid: 'ed25519-1' }, payload: CLAIMS });
// The attacker's own key, embedded in the header for a naive verifier to pick up.
plan('RS256 embedded jwk', {
	alg: 'RS256',
	key: { jwk: privateJwk(rsaOther) },
	header: { kid: 'rsa-1', jwk: publicJwk(rsaOther) },
	payload: CLAIMS,
});

// Algorithm confusion: HS256 keyed with the issuer's public key PEM, which a naive verifier
// would feed to HMAC when the token says HS256.
plan('HS256 keyed with the RSA PEM', withSecret(CLAIMS, { kid: 'rsa-1' }, spki(rsa)));
plan('HS256 keyed with the EC PEM', withSecret(CLAIMS, { kid: 'ec-256' }, spki(p256)));
// A JWKS kid that names a key of another family or curve.
plan('RS256 kid of an EC key', { alg: 'RS256', key: { jwk: privateJwk(rsa) }, header: { kid: 'ec-256' }, payload: CLAIMS });
plan('ES384 kid of a P-256 key', { alg: 'ES384', key: { jwk: privateJwk(p384) }, header: { kid: 'ec-256' }, payload: CLAIMS });
plan('EdDSA kid of an RSA key', { alg: 'EdDSA', key: { jwk: privateJwk(ed25519) }, header: { kid: 'rsa-1' }, payload: CLAIMS });
plan('PS256 kid of an RS384-only key', { alg: 'PS256', key: { jwk: privateJwk(rsa) }, header: { kid: 'rsa-rs384' }, payload: CLAIMS });

// JWKS rotation, kid-less sets, the X.509 certificate.
plan('ES256 rotated key', { alg: 'ES256', key: { jwk: privateJwk(p256Rotated) }, header: { kid: 'ec-rotated' }, payload: LONG_CLAIMS });
plan('RS256 certificate key', { alg: 'RS256', key: { jwk: X509.privateJwk }, payload: CLAIMS });
plan('ES256 filler 99', { alg: 'ES256', key: { jwk: privateJwk(p256) }, header: { kid: 'k99' }, payload: CLAIMS });
plan('ES256 filler 100', { alg: 'ES256', key: { jwk: privateJwk(p256) }, header: { kid: 'k100' }, payload: CLAIMS });

let T: Record<string, string>;
beforeAll(() => {
	T = joseSign(PLAN);
});
beforeEach(() => resetJwksCache());

// Every reason seen in this file, checked at the end.
const seenReasons = new Set<string>();

async function verify(
	token: string,
	settings: JwtSettings,
	fetchJson: FetchJson = noFetch,
	nowSeconds = NOW,
): Promise<JwtVerification> {
	return await verifyHeader(`Bearer ${token}`, settings, fetchJson, nowSeconds);
}

async function verifyHeader(
	authorization: string | undefined,
	settings: JwtSettings,
	fetchJson: FetchJson = noFetch,
	nowSeconds = NOW,
): Promise<JwtVerification> {
	const result = await verifyBearerToken(authorization, settings, fetchJson, nowSeconds);
	if (!result.valid) seenReasons.add(result.reason);
	return result;
}

const reasonOf = (result: JwtVerification) => (result.valid ? 'valid' : result.reason);

// ---------------------------------------------------------------------------------------------

describe('every algorithm verifies', () => {
	test.each(SYMMETRIC)('%s with the shared secret', async (alg) => {
		const result = await verify(T[alg], secretSettings());
		expect(result).toEqual({ valid: true, claims: CLAIMS });
	});

	test.each(ASYMMETRIC)('%s with a PEM public key', async (alg) => {
		const result = await verify(T[alg], pemSettings(spki(keyPairFor(alg))));
		expect(result).toEqual({ valid: true, claims: CLAIMS });
	});

	test.each(ASYMMETRIC)('%s with a JWKS', async (alg) => {
		const endpoint = jwksEndpoint();
		const result = await verify(T[alg], jwksSettings(), endpoint.fetchJson);
		expect(result).toEqual({ valid: true, claims: CLAIMS });
		expect(endpoint.urls).toEqual([JWKS_URL]);
	});

	test.each(ASYMMETRIC)('%s with a JWKS and no kid when the set has one key', async (alg) => {
		const endpoint = jwksEndpoint({ keys: [publicJwk(keyPairFor(alg))] });
		expect(await verify(T[`${alg} no kid`], jwksSettings(), endpoint.fetchJson)).toMatchObject({ valid: true });
	});

	test('EdDSA with an Ed448 key (PEM and JWKS), signed by node:crypto as jose has no Ed448', async () => {
		const token = nodeSigned('EdDSA', ed448.privateKey, { kid: 'ed448-1' }, CLAIMS);
		expect(await verify(token, pemSettings(spki(ed448)))).toEqual({ valid: true, claims: CLAIMS });
		expect(await verify(token, jwksSettings(), jwksEndpoint().fetchJson)).toEqual({ valid: true, claims: CLAIMS });
	});

	test('RS256 with a PKCS#1 "RSA PUBLIC KEY" PEM', async () => {
		const pkcs1 = rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;
		expect(pkcs1).toContain('BEGIN RSA PUBLIC KEY');
		expect(await verify(T.RS256, pemSettings(pkcs1))).toMatchObject({ valid: true });
		expect(await verify(T.PS384, pemSettings(pkcs1))).toMatchObject({ valid: true });
	});

	test('RS256 with an X.509 certificate PEM', async () => {
		expect(X509.certificatePem).toContain('BEGIN CERTIFICATE');
		expect(await verify(T['RS256 certificate key'], pemSettings(X509.certificatePem))).toMatchObject({ valid: true });
		expect(await verify(T.RS256, pemSettings(X509.certificatePem))).toEqual({ valid: false, reason: 'signature mismatch' });
	});

	test('a PEM pasted with literal \\n, CRLF, on one line or indented', async () => {
		const pem = spki(p256);
		const variants = [
			pem.replace(/\n/g, '\\n'),
			pem.replace(/\n/g, '\r\n'),
			pem.replace(/\n/g, ' '),
			`\n\n   ${pem.split('\n').join('\n    ')}\n`,
		];
		for (const variant of variants) {
			expect(await verify(T.ES256, pemSettings(variant))).toMatchObject({ valid: true });
		}
	});

	test('the scheme is case-insensitive and surrounding spaces are ignored', async () => {
		expect(await verifyHeader(`bearer ${T.HS256}`, secretSettings())).toMatchObject({ valid: true });
		expect(await verifyHeader(`  BEARER   ${T.HS256}  `, secretSettings())).toMatchObject({ valid: true });
	});

	test('the claims are returned as signed', async () => {
		const result = await verify(T.ES384, pemSettings(spki(p384)));
		expect(result.valid && result.claims).toEqual(CLAIMS);
	});

	test('issuer and audience are not checked when not configured', async () => {
		const open = secretSettings({ issuer: '', audience: undefined });
		for (const name of ['wrong issuer', 'no issuer', 'wrong audience', 'no audience']) {
			expect(await verify(T[name], open)).toMatchObject({ valid: true });
		}
	});

	test('a configured issuer or audience with stray spaces is trimmed', async () => {
		const padded = secretSettings({ issuer: ` ${ISSUER} `, audience: `${AUDIENCE}\n` });
		expect(await verify(T.HS256, padded)).toMatchObject({ valid: true });
	});
});

describe('time claims', () => {
	test.each([
		['expired', 'token expired'],
		['expired at the leeway edge', 'token expired'],
		['expired within leeway', 'valid'],
		['nbf future', 'token not yet valid'],
		['nbf within leeway', 'valid'],
		['iat future', 'token issued in the future'],
		['iat within leeway', 'valid'],
		['exp string', 'malformed token'],
		['nbf null', 'malformed token'],
		['iat object', 'malformed token'],
		['no exp', 'token has no expiry'],
		['fractional times', 'valid'],
	])('%s → %s', async (name, expected) => {
		expect(reasonOf(await verify(T[name], secretSettings()))).toBe(expected);
	});

	test('audit #8: a token without exp is refused unless the credential allows it', async () => {
		expect(await verify(T['no exp'], secretSettings())).toEqual({ valid: false, reason: 'token has no expiry' });
		expect(await verify(T['no exp'], secretSettings({ allowMissingExpiry: false }))).toEqual({
			valid: false,
			reason: 'token has no expiry',
		});
		// Only an explicit true opts in (a truthy string from a hand-edited credential does not).
		const loose = secretSettings({ allowMissingExpiry: 'yes' as unknown as boolean });
		expect(reasonOf(await verify(T['no exp'], loose))).toBe('token has no expiry');
		expect(await verify(T['no exp'], secretSettings({ allowMissingExpiry: true }))).toEqual({
			valid: true,
			claims: claimsWithoutExp,
		});
		// The option does not relax anything else: exp, when present, still counts.
		expect(reasonOf(await verify(T.expired, secretSettings({ allowMissingExpiry: true })))).toBe('token expired');
		// A token signed with another key is refused before its claims are looked at.
		const forged = hs256(b64json({ alg: 'HS256' }), b64json(claimsWithoutExp), `${SECRET}!`);
		expect(reasonOf(await verify(forged, secretSettings()))).toBe('signature mismatch');
	});

	test('audit #8: asymmetric tokens without exp are refused too (PEM and JWKS)', async () => {
		const token = nodeSigned('EdDSA', ed25519.privateKey, { kid: 'ed25519-1' }, claimsWithoutExp);
		expect(reasonOf(await verify(token, pemSettings(spki(ed25519))))).toBe('token has no expiry');
		expect(reasonOf(await verify(token, jwksSettings(), jwksEndpoint().fetchJson))).toBe('token has no expiry');
		expect(reasonOf(await verify(token, jwksSettings({ allowMissingExpiry: true }), jwksEndpoint().fetchJson))).toBe('valid');
	});

	test('without leeway, a token expires at exp exactly', async () => {
		const token = hs256(b64json({ alg: 'HS256' }), b64json({ iss: ISSUER, aud: AUDIENCE, exp: NOW }));
		const settings = secretSettings({ leewaySeconds: 0 });
		expect(reasonOf(await verify(token, settings, noFetch, NOW - 1))).toBe('valid');
		expect(reasonOf(await verify(token, settings, noFetch, NOW))).toBe('token expired');
	});

	test('a negative or non-numeric leeway counts as none', async () => {
		for (const leewaySeconds of [-100, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(reasonOf(await verify(T['expired within leeway'], secretSettings({ leewaySeconds })))).toBe('token expired');
		}
	});

	test('the real clock is used when none is given', async () => {
		// CLAIMS expire in 2025; the real clock is later.
		expect(await verifyBearerToken(`Bearer ${T.HS256}`, secretSettings(), noFetch)).toEqual({
			valid: false,
			reason: 'token expired',
		});
	});

	test('asymmetric tokens get the same checks', async () => {
		expect(reasonOf(await verify(T['ES256 expired'], pemSettings(spki(p256))))).toBe('token expired');
		expect(reasonOf(await verify(T['EdDSA nbf future'], pemSettings(spki(ed25519))))).toBe('token not yet valid');
		expect(reasonOf(await verify(T['PS256 wrong audience'], jwksSettings(), jwksEndpoint().fetchJson))).toBe('wrong audience');
	});
});

describe('issuer and audience', () => {
	test.each([
		['wrong issuer', 'wrong issuer'],
		['issuer differs by a slash', 'wrong issuer'],
		['no issuer', 'wrong issuer'],
		['wrong audience', 'wrong audience'],
		['audience list', 'valid'],
		['wrong audience list', 'wrong audience'],
		['no audience', 'wrong audience'],
	])('%s → %s', async (name, expected) => {
		expect(reasonOf(await verify(T[name], secretSettings()))).toBe(expected);
	});

	test('the time checks come before the issuer and audience', async () => {
		const token = hs256(b64json({ alg: 'HS256' }), b64json({ exp: NOW - 3600, iss: 'x', aud: 'y' }));
		expect(reasonOf(await verify(token, secretSettings()))).toBe('token expired');
	});
});

describe('wrong keys and forged signatures', () => {
	test.each([
		['HS256 other secret', () => secretSettings()],
		['RS256 other key', () => pemSettings(spki(rsa))],
		['PS512 other key', () => pemSettings(spki(rsa))],
		['ES256 other key', () => pemSettings(spki(p256))],
		['EdDSA other key', () => pemSettings(spki(ed25519))],
		['RS256 embedded jwk', () => pemSettings(spki(rsa))],
	])('%s → signature mismatch (PEM or secret)', async (name, settings) => {
		expect(await verify(T[name], settings())).toEqual({ valid: false, reason: 'signature mismatch' });
	});

	test.each(['RS256 other key', 'PS512 other key', 'ES256 other key', 'EdDSA other key', 'RS256 embedded jwk'])(
		'%s → signature mismatch (JWKS)',
		async (name) => {
			expect(await verify(T[name], jwksSettings(), jwksEndpoint().fetchJson)).toEqual({
				valid: false,
				reason: 'signature mismatch',
			});
		},
	);

	test('a payload swapped in from another token does not verify', async () => {
		const [header, , signature] = T.RS256.split('.');
		const otherPayload = T['PS256 wrong audience'].split('.')[1];
		const other = b64json({ ...CLAIMS, sub: 'admin' });
		for (const payload of [otherPayload, other]) {
			expect(reasonOf(await verify(`${header}.${payload}.${signature}`, pemSettings(spki(rsa))))).toBe('signature mismatch');
		}
	});

	test('an empty or truncated signature does not verify', async () => {
		for (const alg of ['HS256', 'RS256', 'PS256', 'ES256', 'ES512', 'EdDSA'] as JwtAlgorithm[]) {
			const [header, payload, signature] = T[alg].split('.');
			const settings = alg === 'HS256' ? secretSettings() : pemSettings(spki(keyPairFor(alg)));
			expect(reasonOf(await verify(`${header}.${payload}.`, settings))).toBe('signature mismatch');
			expect(reasonOf(await verify(`${header}.${payload}.${signature.slice(0, 20)}`, settings))).toBe('signature mismatch');
		}
	});

	test('an ECDSA signature in DER form (not the JOSE r||s form) does not verify', async () => {
		const input = `${b64json({ alg: 'ES256' })}.${b64json(CLAIMS)}`;
		const der = nodeSign('sha256', Buffer.from(input), p256.privateKey);
		expect(reasonOf(await verify(`${input}.${b64(der)}`, pemSettings(spki(p256))))).toBe('signature mismatch');
	});
});

describe('algorithms', () => {
	test.each(['none', 'None', 'NONE', 'nOnE'])('alg "%s" is refused, with or without a signature', async (none) => {
		const unsigned = `${b64json({ alg: none, typ: 'JWT' })}.${b64json(CLAIMS)}`;
		const everything = { algorithms: [...JWT_ALGORITHMS, 'none'] as JwtAlgorithm[] };
		for (const token of [`${unsigned}.`, `${unsigned}.${b64('signature')}`]) {
			for (const settings of [secretSettings(everything), pemSettings(spki(rsa), everything), jwksSettings(everything)]) {
				expect(await verify(token, settings, jwksEndpoint().fetchJson)).toEqual({ valid: false, reason: 'alg none refused' });
			}
		}
	});

	test('an algorithm outside the allowed list is refused', async () => {
		expect(reasonOf(await verify(T.RS384, pemSettings(spki(rsa), { algorithms: ['RS256'] })))).toBe('algorithm not allowed');
		expect(reasonOf(await verify(T.HS512, secretSettings({ algorithms: ['HS256'] })))).toBe('algorithm not allowed');
		expect(reasonOf(await verify(T.ES256, jwksSettings({ algorithms: ['RS256'] }), jwksEndpoint().fetchJson))).toBe(
			'algorithm not allowed',
		);
		expect(reasonOf(await verify(T.HS256, secretSettings({ algorithms: [] })))).toBe('algorithm not allowed');
	});

	test.each(['HS1', 'RS1', 'ES256K', 'Ed25519', 'hs256', 'PS256 ', '__proto__', 'toString'])(
		'an unknown alg "%s" is refused',
		async (alg) => {
			const token = hs256(b64json({ alg }), b64json(CLAIMS));
			expect(reasonOf(await verify(token, secretSettings()))).toBe('algorithm not allowed');
		},
	);

	test('HS256 signed with the RSA public key PEM as the HMAC secret, against that PEM', async () => {
		const token = T['HS256 keyed with the RSA PEM'];
		// The attack is real: HMAC over the PEM's bytes does reproduce the signature.
		const [header, payload, signature] = token.split('.');
		expect(b64(createHmac('sha256', spki(rsa)).update(`${header}.${payload}`).digest())).toBe(signature);
		const settings = pemSettings(spki(rsa), { algorithms: ['RS256', 'HS256'] });
		expect(await verify(token, settings)).toEqual({ valid: false, reason: 'key does not fit the algorithm' });
		expect(await verify(T['HS256 keyed with the EC PEM'], pemSettings(spki(p256)))).toEqual({
			valid: false,
			reason: 'key does not fit the algorithm',
		});
	});

	test('HS256 against a JWKS is refused before any fetch', async () => {
		const endpoint = jwksEndpoint({ keys: [{ kty: 'oct', kid: 'rsa-1', k: b64(spki(rsa)) }, ...JWKS.keys] });
		expect(reasonOf(await verify(T['HS256 keyed with the RSA PEM'], jwksSettings(), endpoint.fetchJson))).toBe(
			'key does not fit the algorithm',
		);
		expect(endpoint.calls).toBe(0);
	});

	test.each(ASYMMETRIC)('%s against a shared secret is refused', async (alg) => {
		expect(reasonOf(await verify(T[alg], secretSettings()))).toBe('key does not fit the algorithm');
	});

	test.each([
		['ES256', () => spki(rsa)],
		['ES384', () => spki(p256)],
		['ES512', () => spki(p384)],
		['RS256', () => spki(p256)],
		['PS256', () => spki(ed25519)],
		['EdDSA', () => spki(p256)],
	] as Array<[JwtAlgorithm, () => string]>)('a %s token against a PEM key of another type or curve', async (alg, pem) => {
		expect(reasonOf(await verify(T[alg], pemSettings(pem())))).toBe('key does not fit the algorithm');
	});

	test.each(['RS256 kid of an EC key', 'ES384 kid of a P-256 key', 'EdDSA kid of an RSA key', 'PS256 kid of an RS384-only key'])(
		'JWKS: %s',
		async (name) => {
			const endpoint = jwksEndpoint({ keys: [...JWKS.keys, publicJwk(rsa, { kid: 'rsa-rs384', alg: 'RS384' })] });
			expect(reasonOf(await verify(T[name], jwksSettings(), endpoint.fetchJson))).toBe('key does not fit the algorithm');
		},
	);

	test('an RSA key under 2048 bits is refused (PEM and JWKS)', async () => {
		const token = nodeSigned('RS256', rsaSmall.privateKey, { kid: 'small' }, CLAIMS);
		expect(reasonOf(await verify(token, pemSettings(spki(rsaSmall))))).toBe('key does not fit the algorithm');
		const endpoint = jwksEndpoint({ keys: [publicJwk(rsaSmall, { kid: 'small' })] });
		expect(reasonOf(await verify(token, jwksSettings(), endpoint.fetchJson))).toBe('key does not fit the algorithm');
	});

	test('a critical header extension is refused', async () => {
		const token = hs256(b64json({ alg: 'HS256', crit: ['b64'], b64: false }), b64json(CLAIMS));
		expect(reasonOf(await verify(token, secretSettings()))).toBe('unsupported critical header');
	});
});

describe('malformed tokens and headers', () => {
	const header = b64json({ alg: 'HS256' });
	const payload = b64json(CLAIMS);

	test.each([
		['two parts', `${header}.${payload}`],
		['one part', header],
		['four parts', `${header}.${payload}.${b64('x')}.${b64('y')}`],
		['five parts (JWE)', `${header}.${b64('k')}.${b64('iv')}.${payload}.${b64('tag')}`],
		['empty parts', '..'],
		['standard base64 characters', hs256(Buffer.from(JSON.stringify({ alg: 'HS256', x: '>>>?' })).toString('base64'), payload)],
		['base64 padding', `${header}=.${payload}.${b64('x')}`],
		['non-canonical base64url', `${header}.${payload}.${b64(Buffer.alloc(32, 0x41)).slice(0, -1)}R`],
		['impossible base64url length', `${header}.${payload}.AAAAA`],
		['header that is not JSON', hs256(b64('{alg: HS256}'), payload)],
		['header that is an array', hs256(b64json([{ alg: 'HS256' }]), payload)],
		['header that is a string', hs256(b64json('HS256'), payload)],
		['header that is null', hs256(b64json(null), payload)],
		['payload that is not JSON', hs256(header, b64('not json'))],
		['payload that is a number', hs256(header, b64json(42))],
		['payload that is an array', hs256(header, b64json([CLAIMS]))],
		['empty payload', hs256(header, '')],
		['header without alg', hs256(b64json({ typ: 'JWT' }), payload)],
		['alg that is not a string', hs256(b64json({ alg: ['HS256'] }), payload)],
		['kid that is not a string', hs256(b64json({ alg: 'HS256', kid: 7 }), payload)],
		['header that is not UTF-8', hs256(b64(Buffer.from([0x7b, 0x22, 0x61, 0x6c, 0x67, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])), payload)],
		['huge header', hs256(b64json({ alg: 'HS256', padding: 'x'.repeat(20_000) }), payload)],
		['huge payload', hs256(header, b64json({ ...CLAIMS, padding: 'x'.repeat(20_000) }))],
	])('%s → malformed token', async (_name, token) => {
		expect(await verify(token, secretSettings())).toEqual({ valid: false, reason: 'malformed token' });
	});

	test.each([
		['no header', undefined],
		['an empty header', ''],
		['Basic credentials', 'Basic dXNlcjpwYXNzd29yZA=='],
		['the scheme alone', 'Bearer'],
		['the scheme and a space', 'Bearer '],
		['another scheme', 'Token abc.def.ghi'],
		['two tokens', 'Bearer abc.def.ghi jkl.mno.pqr'],
		['a token without scheme', 'abc.def.ghi'],
		['Bearer glued to the token', 'Bearerabc.def.ghi'],
	])('%s → missing bearer token', async (_name, authorization) => {
		expect(await verifyHeader(authorization, secretSettings())).toEqual({ valid: false, reason: 'missing bearer token' });
	});
});

describe('missing or unusable configuration fails closed', () => {
	test.each([
		['no secret', secretSettings({ secret: undefined })],
		['an empty secret', secretSettings({ secret: '' })],
		['no public key', pemSettings('')],
		['a blank public key', pemSettings('  \n ')],
		['no JWKS URL', jwksSettings({ jwksUrl: undefined })],
		['a blank JWKS URL', jwksSettings({ jwksUrl: ' ' })],
		['an unknown key type', { ...secretSettings(), keyType: 'certificate' as JwtSettings['keyType'] }],
	])('%s → no verification key configured', async (_name, settings) => {
		const endpoint = jwksEndpoint();
		for (const authorization of [`Bearer ${T.HS256}`, `Bearer ${T.RS256}`, undefined]) {
			expect(await verifyHeader(authorization, settings, endpoint.fetchJson)).toEqual({
				valid: false,
				reason: 'no verification key configured',
			});
		}
		expect(endpoint.calls).toBe(0);
	});

	test.each([
		['garbage', 'not a key at all'],
		['a broken PEM body', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQ\n-----END PUBLIC KEY-----'],
		['a private key', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string],
		['a PKCS#1 private key', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string],
		['an unsupported block', '-----BEGIN OPENSSH PUBLIC KEY-----\nAAAA\n-----END OPENSSH PUBLIC KEY-----'],
	])('a PEM that is %s → invalid verification key', async (_name, pem) => {
		expect(await verify(T.RS256, pemSettings(pem))).toEqual({ valid: false, reason: 'invalid verification key' });
	});

	// Changed by audit #8: the reason used to be 'could not fetch signing keys'.
	test('a JWKS URL that is not http(s) is never fetched', async () => {
		for (const jwksUrl of ['file:///etc/passwd', 'ftp://issuer.example.com/jwks', 'ws://127.0.0.1/jwks', 'issuer.example.com/jwks', 'https://']) {
			const endpoint = jwksEndpoint();
			expect(reasonOf(await verify(T.ES256, jwksSettings({ jwksUrl }), endpoint.fetchJson))).toBe('JWKS URL must use https');
			expect(endpoint.calls).toBe(0);
		}
	});

	const PLAIN_HTTP = [
		'http://issuer.example.com/.well-known/jwks.json',
		'HTTP://issuer.example.com/jwks',
		'http://10.0.0.5/jwks',
		'http://192.168.1.1/jwks',
		'http://127.0.0.1.nip.io/jwks',
		'http://localhost.example.com/jwks',
		'http://[::2]/jwks',
		'http://[::ffff:7f00:1]/jwks',
	];

	test.each(PLAIN_HTTP)('audit #8: a plain http JWKS URL (%s) is refused per request, never fetched', async (jwksUrl) => {
		const endpoint = jwksEndpoint();
		expect(await verify(T.ES256, jwksSettings({ jwksUrl }), endpoint.fetchJson)).toEqual({
			valid: false,
			reason: 'JWKS URL must use https',
		});
		expect(endpoint.calls).toBe(0);
	});

	test.each(PLAIN_HTTP)('audit #8: a plain http JWKS URL (%s) is refused at publish time', async (jwksUrl) => {
		const endpoint = jwksEndpoint();
		expect(await checkJwtKeyMaterial(jwksSettings({ jwksUrl }), endpoint.fetchJson)).toMatch(/must start with https:\/\//);
		expect(endpoint.calls).toBe(0);
	});

	test.each([
		'http://127.0.0.1:8080/.well-known/jwks.json',
		'http://127.45.6.7/jwks',
		'http://localhost:3000/jwks',
		'http://LOCALHOST/jwks',
		'http://[::1]:8443/jwks',
		'https://issuer.example.com/jwks',
		'  https://issuer.example.com/jwks  ',
	])('https, or http on a loopback host (%s), is fetched', async (jwksUrl) => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T.ES256, jwksSettings({ jwksUrl }), endpoint.fetchJson))).toBe('valid');
		expect(await checkJwtKeyMaterial(jwksSettings({ jwksUrl }), endpoint.fetchJson)).toBeUndefined();
		expect(endpoint.calls).toBe(2);
	});
});

describe('JWKS', () => {
	test('is fetched once and cached for every algorithm', async () => {
		const endpoint = jwksEndpoint();
		for (const alg of ASYMMETRIC) {
			expect(reasonOf(await verify(T[alg], jwksSettings(), endpoint.fetchJson))).toBe('valid');
		}
		expect(endpoint.calls).toBe(1);
	});

	test('is re-fetched after 10 minutes', async () => {
		const endpoint = jwksEndpoint();
		const at = async (seconds: number) => reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + seconds));
		expect(await at(0)).toBe('valid');
		expect(await at(599)).toBe('valid');
		expect(endpoint.calls).toBe(1);
		expect(await at(600)).toBe('valid');
		expect(endpoint.calls).toBe(2);
		expect(await at(1199)).toBe('valid');
		expect(endpoint.calls).toBe(2);
	});

	test('an unknown kid re-fetches once, and not again within 30 s', async () => {
		const endpoint = jwksEndpoint();
		const forged = async (seconds: number) =>
			reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + seconds));
		// The first request fetches; the kid is unknown but the keys are brand new: no second fetch.
		expect(await forged(0)).toBe('unknown key id');
		expect(endpoint.calls).toBe(1);
		// Later, an unknown kid re-fetches exactly once…
		expect(await forged(45)).toBe('unknown key id');
		expect(endpoint.calls).toBe(2);
		// …and a stream of forged kids within 30 s of that fetch does not fetch again.
		for (let second = 46; second < 75; second++) expect(await forged(second)).toBe('unknown key id');
		expect(endpoint.calls).toBe(2);
		// Known kids keep working meanwhile, from the cache.
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + 50))).toBe('valid');
		expect(endpoint.calls).toBe(2);
		expect(await forged(75)).toBe('unknown key id');
		expect(endpoint.calls).toBe(3);
	});

	test('a rotated key is picked up by the re-fetch for its unknown kid', async () => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW))).toBe('valid');
		endpoint.document = { keys: [...JWKS.keys, publicJwk(p256Rotated, { kid: 'ec-rotated', alg: 'ES256' })] };
		// Within 30 s of the last fetch the new kid is not looked up yet (the price of the rate limit)…
		expect(reasonOf(await verify(T['ES256 rotated key'], jwksSettings(), endpoint.fetchJson, NOW + 10))).toBe('unknown key id');
		// …after that it is.
		expect(reasonOf(await verify(T['ES256 rotated key'], jwksSettings(), endpoint.fetchJson, NOW + 30))).toBe('valid');
		expect(endpoint.calls).toBe(2);
	});

	test('a token without kid needs a set with exactly one key', async () => {
		expect(reasonOf(await verify(T['ES256 no kid'], jwksSettings(), jwksEndpoint().fetchJson))).toBe('unknown key id');
		const single = jwksEndpoint({ keys: [publicJwk(p256, { kid: 'only' })] });
		const singleUrl = jwksSettings({ jwksUrl: 'https://single.example.com/jwks' });
		expect(reasonOf(await verify(T['ES256 no kid'], singleUrl, single.fetchJson))).toBe('valid');
	});

	test.each([
		['the fetch fails', new Error('getaddrinfo ENOTFOUND issuer.example.com'), undefined],
		['the answer is not JSON', undefined, '<html>Not found</html>'],
		['the answer is not a JWKS', undefined, { issuer: ISSUER }],
		['"keys" is not a list', undefined, { keys: 'none' }],
		['the set is empty', undefined, { keys: [] }],
		['no key is usable', undefined, { keys: [{ kty: 'oct', k: 'c2VjcmV0' }, publicJwk(p256, { kid: 'ec-256', use: 'enc' })] }],
		['the answer is null', undefined, null],
	])('fails closed when %s', async (_name, failure, document) => {
		const endpoint = jwksEndpoint(document);
		endpoint.failure = failure;
		expect(await verify(T.ES256, jwksSettings(), endpoint.fetchJson)).toEqual({
			valid: false,
			reason: 'could not fetch signing keys',
		});
	});

	test('a JWKS served as JSON text is parsed', async () => {
		const endpoint = jwksEndpoint(JSON.stringify(JWKS));
		expect(reasonOf(await verify(T.EdDSA, jwksSettings(), endpoint.fetchJson))).toBe('valid');
	});

	// Replaces 'stale keys are not used when the refresh fails', whose behaviour was the defect.
	test('audit #1: once the keys are 10+ minutes old, a failed refresh still verifies genuine tokens with them', async () => {
		const endpoint = jwksEndpoint();
		const genuine = async (seconds: number) =>
			reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + seconds));
		expect(await genuine(0)).toBe('valid');
		endpoint.failure = new Error('Request failed with status code 503');
		expect(await genuine(600)).toBe('valid'); // the refresh fails: the last good keys are served
		expect(endpoint.calls).toBe(2);
		expect(await genuine(629)).toBe('valid'); // no new attempt within 30 s of the failed one
		expect(endpoint.calls).toBe(2);
		expect(await genuine(630)).toBe('valid'); // the next attempt fails too
		expect(await genuine(3600)).toBe('valid');
		expect(endpoint.calls).toBe(4);
		endpoint.failure = undefined;
		expect(await genuine(3630)).toBe('valid'); // back: fetched, and fresh for 10 minutes again
		expect(await genuine(4229)).toBe('valid');
		expect(endpoint.calls).toBe(5);
	});

	test.each([
		['an empty set', { keys: [] }],
		['invalid JSON', '<html>503 Service Unavailable</html>'],
		['no usable key', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }, publicJwk(p256, { kid: 'ec-256', use: 'enc' })] }],
		['not a JWKS', { error: 'maintenance' }],
		['null', null],
	])('audit #1: a refresh that answers %s keeps the last good keys', async (_name, document) => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW))).toBe('valid');
		endpoint.document = document;
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + 700))).toBe('valid');
		expect(reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + 800))).toBe('unknown key id');
		expect(endpoint.calls).toBe(3);
	});

	test('keys are replaced by a successful fetch with a usable key', async () => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW))).toBe('valid');
		// The issuer rotates: the old key is withdrawn, a new one published.
		endpoint.document = { keys: [publicJwk(p256Rotated, { kid: 'ec-rotated', alg: 'ES256' })] };
		expect(reasonOf(await verify(T['ES256 rotated key'], jwksSettings(), endpoint.fetchJson, NOW + 600))).toBe('valid');
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + 601))).toBe('unknown key id');
		expect(endpoint.calls).toBe(2);
	});

	test('audit #1: stale keys are served for at most 24 hours of failed refreshes', async () => {
		const endpoint = jwksEndpoint();
		const genuine = async (seconds: number) =>
			reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + seconds));
		expect(await genuine(0)).toBe('valid');
		endpoint.failure = new Error('Request failed with status code 503');
		expect(await genuine(24 * 3600 - 1)).toBe('valid'); // a failed refresh at 24 h - 1 s
		expect(await genuine(24 * 3600)).toBe('could not fetch signing keys');
		endpoint.failure = undefined;
		expect(await genuine(24 * 3600 + 28)).toBe('could not fetch signing keys'); // within 30 s of that failure
		const calls = endpoint.calls;
		expect(await genuine(24 * 3600 + 29)).toBe('valid');
		expect(endpoint.calls).toBe(calls + 1);
	});

	const FAILURES: Array<[string, (endpoint: JwksEndpoint) => void]> = [
		['HTTP 503', (endpoint) => (endpoint.failure = new Error('Request failed with status code 503'))],
		['{"keys":[]}', (endpoint) => (endpoint.document = { keys: [] })],
		['invalid JSON', (endpoint) => (endpoint.document = '{"keys": [')],
		['a network error', (endpoint) => (endpoint.failure = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))],
	];

	test.each(FAILURES)('audit #1: 200 forged tokens in 10 s while the JWKS URL answers %s make one fetch', async (_name, breakIt) => {
		const endpoint = jwksEndpoint();
		breakIt(endpoint);
		const forgeries = ['ES256 forged kid', 'ES256 other key', 'RS256 other key', 'EdDSA other key', 'PS512 other key'];
		for (let index = 0; index < 200; index++) {
			const result = await verify(T[forgeries[index % forgeries.length]], jwksSettings(), endpoint.fetchJson, NOW + index / 20);
			expect(result.valid).toBe(false);
		}
		expect(endpoint.calls).toBe(1);
		// Random kids, the other lever of a forger, do not fetch either.
		for (let index = 0; index < 50; index++) {
			const token = hs256(b64json({ alg: 'ES256', kid: `forged-${index}` }), b64json(LONG_CLAIMS));
			expect(reasonOf(await verify(token, jwksSettings(), endpoint.fetchJson, NOW + 20))).toBe('could not fetch signing keys');
		}
		expect(endpoint.calls).toBe(1);
		// The next attempt comes 30 s after the failed one, whatever its outcome.
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + 29.9))).toBe(
			'could not fetch signing keys',
		);
		expect(endpoint.calls).toBe(1);
		endpoint.failure = undefined;
		endpoint.document = JWKS;
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + 30))).toBe('valid');
		expect(endpoint.calls).toBe(2);
	});

	test('forged tokens arriving together during a slow failing fetch share it', async () => {
		let release: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => (release = resolve));
		let calls = 0;
		const slowFailure: FetchJson = async () => {
			calls++;
			await gate;
			throw new Error('Request failed with status code 503');
		};
		const pending = Array.from({ length: 100 }, async () => await verify(T['ES256 forged kid'], jwksSettings(), slowFailure, NOW));
		release();
		const results = await Promise.all(pending);
		expect(results.map(reasonOf)).toEqual(results.map(() => 'could not fetch signing keys'));
		expect(calls).toBe(1);
	});

	test('audit #1: failed URLs are cached too, and the cache stays at JWKS_MAX_URLS URLs', async () => {
		const MAX = JWKS_MAX_URLS;
		const endpoint = jwksEndpoint({ keys: [] });
		const url = (index: number) => `https://issuer-${index}.example.com/jwks.json`;
		const use = async (index: number) =>
			reasonOf(await verify(T['ES256 long'], jwksSettings({ jwksUrl: url(index) }), endpoint.fetchJson, NOW + 1));
		for (let index = 0; index < MAX; index++) expect(await use(index)).toBe('could not fetch signing keys');
		expect(endpoint.calls).toBe(MAX);
		for (let index = 0; index < MAX; index++) await use(index); // each failure is remembered
		expect(endpoint.calls).toBe(MAX);
		await use(MAX); // one URL more evicts the least recently used one (url(0))…
		expect(endpoint.calls).toBe(MAX + 1);
		await use(0); // …which is fetched again
		expect(endpoint.urls.slice(-2)).toEqual([url(MAX), url(0)]);
	});

	test('a known kid does not wait for a fetch under way for an unknown one; a rotated kid joins it', async () => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW))).toBe('valid');
		let release: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const slowFetch: FetchJson = async (url) => {
			await gate;
			return await endpoint.fetchJson(url);
		};
		endpoint.document = { keys: [...JWKS.keys, publicJwk(p256Rotated, { kid: 'ec-rotated', alg: 'ES256' })] };
		const forged = verify(T['ES256 forged kid'], jwksSettings(), slowFetch, NOW + 60);
		const rotated = verify(T['ES256 rotated key'], jwksSettings(), slowFetch, NOW + 60);
		// Answered from the cache while the fetch hangs.
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), slowFetch, NOW + 60))).toBe('valid');
		release();
		expect(reasonOf(await forged)).toBe('unknown key id');
		expect(reasonOf(await rotated)).toBe('valid');
		expect(endpoint.calls).toBe(2);
	});

	test('a clock set back by more than 30 s does not put the next fetch off', async () => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + 3600))).toBe('unknown key id');
		expect(reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + 3590))).toBe('unknown key id');
		expect(endpoint.calls).toBe(1);
		expect(reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + 3500))).toBe('unknown key id');
		expect(endpoint.calls).toBe(2);
	});

	// Changed by audit #1: a failed re-fetch no longer hides the cached keys, so the unknown kid is
	// reported as such (it used to be 'could not fetch signing keys').
	test('a failed re-fetch for an unknown kid keeps the cached keys and still counts against the rate limit', async () => {
		const endpoint = jwksEndpoint();
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW))).toBe('valid');
		endpoint.failure = new Error('503');
		expect(reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + 40))).toBe('unknown key id');
		expect(endpoint.calls).toBe(2);
		expect(reasonOf(await verify(T['ES256 forged kid'], jwksSettings(), endpoint.fetchJson, NOW + 41))).toBe('unknown key id');
		expect(reasonOf(await verify(T['ES256 long'], jwksSettings(), endpoint.fetchJson, NOW + 42))).toBe('valid');
		expect(endpoint.calls).toBe(2);
	});

	test('concurrent requests share one fetch', async () => {
		let release: () => void = () => undefined;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const endpoint = jwksEndpoint();
		const slowFetch: FetchJson = async (url) => {
			await gate;
			return await endpoint.fetchJson(url);
		};
		const pending = ASYMMETRIC.flatMap((alg) => [alg, `${alg} long`]).map(
			async (name) => await verify(T[name], jwksSettings(), slowFetch),
		);
		release();
		const results = await Promise.all(pending);
		expect(results.map(reasonOf)).toEqual(results.map(() => 'valid'));
		expect(endpoint.calls).toBe(1);
	});

	test('keeps at most JWKS_MAX_URLS URLs, evicting the least recently used', async () => {
		const MAX = JWKS_MAX_URLS;
		const endpoint = jwksEndpoint();
		const url = (index: number) => `https://issuer-${index}.example.com/jwks.json`;
		const use = async (index: number) =>
			reasonOf(await verify(T['ES256 long'], jwksSettings({ jwksUrl: url(index) }), endpoint.fetchJson, NOW + 1));
		for (let index = 0; index < MAX; index++) expect(await use(index)).toBe('valid');
		expect(endpoint.calls).toBe(MAX);
		expect(await use(0)).toBe('valid'); // cached, and now the most recently used
		expect(endpoint.calls).toBe(MAX);
		expect(await use(MAX)).toBe('valid'); // evicts url(1)
		expect(endpoint.calls).toBe(MAX + 1);
		expect(await use(0)).toBe('valid');
		expect(endpoint.calls).toBe(MAX + 1);
		expect(await use(1)).toBe('valid');
		expect(endpoint.calls).toBe(MAX + 2);
		expect(endpoint.urls.slice(-2)).toEqual([url(MAX), url(1)]);
	});

	test('keeps at most 100 keys per URL', async () => {
		const keys = Array.from({ length: 101 }, (_, index) => publicJwk(p256, { kid: `k${index}` }));
		const endpoint = jwksEndpoint({ keys });
		expect(reasonOf(await verify(T['ES256 filler 99'], jwksSettings(), endpoint.fetchJson))).toBe('valid');
		expect(reasonOf(await verify(T['ES256 filler 100'], jwksSettings(), endpoint.fetchJson))).toBe('unknown key id');
	});

	test('skips unusable entries and keeps the rest', async () => {
		const junk = [
			null,
			'a string',
			{ kty: 'oct', kid: 'ec-256', k: b64(SECRET) },
			{ kty: 'RSA', kid: 'no-modulus', e: 'AQAB' },
			{ kty: 'EC', kid: 'bad-curve', crv: 'P-999', x: 'AA', y: 'AA' },
			{ ...publicJwk(p256), kid: 7 },
			publicJwk(p256, { kid: 'enc-key', use: 'enc' }),
			publicJwk(p256, { kid: 'wrap-key', key_ops: ['wrapKey'] }),
		];
		const endpoint = jwksEndpoint({ keys: [...junk, ...JWKS.keys] });
		for (const alg of ASYMMETRIC) expect(reasonOf(await verify(T[alg], jwksSettings(), endpoint.fetchJson))).toBe('valid');
		const token = (kid: string) => hs256(b64json({ alg: 'ES256', kid }), b64json(CLAIMS));
		expect(reasonOf(await verify(token('enc-key'), jwksSettings(), endpoint.fetchJson))).toBe('unknown key id');
		expect(reasonOf(await verify(token('wrap-key'), jwksSettings(), endpoint.fetchJson))).toBe('unknown key id');
	});

	test('a JWKS that carries private keys by mistake still verifies with the public part', async () => {
		const endpoint = jwksEndpoint({ keys: [{ ...privateJwk(p256), kid: 'ec-256' }, { ...privateJwk(rsa), kid: 'rsa-1' }] });
		expect(reasonOf(await verify(T.ES256, jwksSettings(), endpoint.fetchJson))).toBe('valid');
		expect(reasonOf(await verify(T.PS256, jwksSettings(), endpoint.fetchJson))).toBe('valid');
	});

	test('a duplicated kid keeps the first key', async () => {
		const endpoint = jwksEndpoint({ keys: [publicJwk(p256, { kid: 'ec-256' }), publicJwk(p256Other, { kid: 'ec-256' })] });
		expect(reasonOf(await verify(T.ES256, jwksSettings(), endpoint.fetchJson))).toBe('valid');
		expect(reasonOf(await verify(T['ES256 other key'], jwksSettings(), endpoint.fetchJson))).toBe('signature mismatch');
	});

	test('resetJwksCache forgets the keys', async () => {
		const endpoint = jwksEndpoint();
		await verify(T.ES256, jwksSettings(), endpoint.fetchJson);
		resetJwksCache();
		await verify(T.ES256, jwksSettings(), endpoint.fetchJson);
		expect(endpoint.calls).toBe(2);
	});
});

describe('checkJwtKeyMaterial', () => {
	const never: FetchJson = async () => {
		throw new Error('no fetch expected');
	};

	test('a usable secret, PEM or JWKS passes', async () => {
		expect(await checkJwtKeyMaterial(secretSettings(), never)).toBeUndefined();
		for (const pair of [rsa, p256, p384, p521, ed25519, ed448]) {
			expect(await checkJwtKeyMaterial(pemSettings(spki(pair)), never)).toBeUndefined();
		}
		expect(await checkJwtKeyMaterial(pemSettings(rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string), never)).toBeUndefined();
		expect(await checkJwtKeyMaterial(pemSettings(X509.certificatePem), never)).toBeUndefined();
		const endpoint = jwksEndpoint();
		expect(await checkJwtKeyMaterial(jwksSettings(), endpoint.fetchJson)).toBeUndefined();
		expect(endpoint.urls).toEqual([JWKS_URL]);
	});

	test('always fetches the JWKS afresh and leaves the trigger cache alone', async () => {
		const endpoint = jwksEndpoint();
		expect(await checkJwtKeyMaterial(jwksSettings(), endpoint.fetchJson)).toBeUndefined();
		expect(await checkJwtKeyMaterial(jwksSettings(), endpoint.fetchJson)).toBeUndefined();
		expect(endpoint.calls).toBe(2);
		await verify(T.ES256, jwksSettings(), endpoint.fetchJson);
		expect(endpoint.calls).toBe(3);
	});

	test.each([
		['no secret', () => secretSettings({ secret: '' }), /no shared secret/],
		['a secret with only asymmetric algorithms', () => secretSettings({ algorithms: ['RS256', 'ES256'] }), /HS256/],
		['no algorithm', () => secretSettings({ algorithms: [] }), /no algorithm is allowed/],
		['no public key', () => pemSettings(' '), /no public key/],
		['a garbage PEM', () => pemSettings('hello'), /not a PEM block/],
		['a broken PEM body', () => pemSettings('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'), /usable public key/],
		['a private key PEM', () => pemSettings(p256.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), /private key/],
		['a PEM that fits no allowed algorithm', () => pemSettings(spki(p256), { algorithms: ['RS256', 'ES384'] }), /ec prime256v1/],
		['a small RSA key', () => pemSettings(spki(rsaSmall)), /rsa 1024-bit/],
		['no JWKS URL', () => jwksSettings({ jwksUrl: '' }), /no JWKS URL/],
		['a JWKS URL that is not http(s)', () => jwksSettings({ jwksUrl: 'file:///etc/passwd' }), /https/],
		['an unknown key type', () => ({ ...secretSettings(), keyType: 'x' as JwtSettings['keyType'] }), /unknown key type/],
	])('%s → a message', async (_name, settings, message) => {
		expect(await checkJwtKeyMaterial(settings(), never)).toMatch(message);
	});

	test.each([
		['an empty JWKS', { keys: [] }, /no usable signing keys/],
		['a JWKS of encryption keys', { keys: [publicJwk(p256, { use: 'enc' })] }, /no usable signing keys/],
		['a document that is not a JWKS', { hello: 'world' }, /not return a JWKS document/],
		['HTML', '<html></html>', /did not return JSON/],
		['a JWKS whose keys fit no allowed algorithm', { keys: [publicJwk(p256)] }, /fits an allowed algorithm/],
		['a JWKS whose key alg is not allowed', { keys: [publicJwk(rsa, { alg: 'PS256' })] }, /fits an allowed algorithm/],
	])('%s → a message', async (_name, document, message) => {
		const endpoint = jwksEndpoint(document);
		expect(await checkJwtKeyMaterial(jwksSettings({ algorithms: ['RS256', 'EdDSA'] }), endpoint.fetchJson)).toMatch(message);
	});

	test('an unreachable JWKS → a message with the cause', async () => {
		const endpoint = jwksEndpoint();
		endpoint.failure = new Error('connect ECONNREFUSED 127.0.0.1:443');
		expect(await checkJwtKeyMaterial(jwksSettings(), endpoint.fetchJson)).toBe(
			'could not fetch the JWKS: connect ECONNREFUSED 127.0.0.1:443',
		);
	});

	test.each([
		['15 ASCII bytes', 'refused', 'fifteen-bytes!!'],
		['7 two-byte characters (14 bytes)', 'refused', 'ééééééé'],
		['one character', 'refused', 'x'],
	])('audit #7: an HS secret of %s is %s at publish time and per request', async (_name, _verdict, secret) => {
		await expectSecret(secret, false);
	});

	test.each([
		['16 ASCII bytes', 'sixteen-bytes!!!'],
		['8 two-byte characters (16 bytes)', 'éééééééé'],
	])('an HS secret of %s is accepted at publish time and per request', async (_name, secret) => {
		await expectSecret(secret, true);
	});

	async function expectSecret(secret: string, accepted: boolean): Promise<void> {
		const settings = secretSettings({ secret, algorithms: ['HS256'] });
		const problem = await checkJwtKeyMaterial(settings, never);
		const token = hs256(b64json({ alg: 'HS256' }), b64json(CLAIMS), secret);
		const result = await verify(token, settings);
		if (accepted) {
			expect(problem).toBeUndefined();
			expect(result).toEqual({ valid: true, claims: CLAIMS });
		} else {
			expect(problem).toBe('the shared secret is shorter than 16 bytes: use a random secret of at least 32 characters');
			expect(result).toEqual({ valid: false, reason: 'invalid verification key' });
			// Refused before the token is even parsed: no answer depends on the weak secret.
			expect(await verifyHeader('Bearer x', settings)).toEqual({ valid: false, reason: 'invalid verification key' });
		}
	}

	test('messages never contain the key material', async () => {
		const secretish = `${SECRET}-not-a-pem`;
		const messages = [
			await checkJwtKeyMaterial(secretSettings({ secret: secretish, algorithms: ['RS256'] }), never),
			await checkJwtKeyMaterial(pemSettings(secretish), never),
			await checkJwtKeyMaterial(pemSettings(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), never),
		];
		for (const message of messages) {
			expect(message).toBeDefined();
			expect(message).not.toContain(secretish);
			expect(message).not.toMatch(/MII/);
		}
	});
});

describe('properties', () => {
	const PEM_ES256 = spki(p256);
	const b64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')) });

	test('random strings as tokens never verify and never throw', async () => {
		const endpoint = jwksEndpoint();
		const tokens = fc.oneof(
			fc.string(),
			fc.string({ unit: 'grapheme' }), // any code point (`unit: 'binary'` takes seconds to set up)
			fc.array(b64url, { maxLength: 4 }).map((parts) => parts.join('.')),
		);
		await fc.assert(
			fc.asyncProperty(tokens, async (token) => {
				for (const settings of [secretSettings(), pemSettings(PEM_ES256), jwksSettings()]) {
					expect((await verify(token, settings, endpoint.fetchJson)).valid).toBe(false);
				}
			}),
			{ numRuns: 400 },
		);
	});

	test('random Authorization headers never verify and never throw', async () => {
		await fc.assert(
			fc.asyncProperty(fc.oneof(fc.string(), fc.string().map((text) => `Bearer ${text}`)), async (authorization) => {
				expect((await verifyHeader(authorization, secretSettings())).valid).toBe(false);
			}),
			{ numRuns: 300 },
		);
	});

	test('well-formed tokens with random headers, claims and signatures never verify', async () => {
		const endpoint = jwksEndpoint();
		const token = fc
			.record({
				alg: fc.oneof(fc.constantFrom(...JWT_ALGORITHMS), fc.string()),
				kid: fc.option(fc.constantFrom('rsa-1', 'ec-256', 'ed25519-1', 'other'), { nil: undefined }),
				extra: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
				claims: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
				signature: fc.uint8Array({ maxLength: 300 }),
			})
			.map(({ alg, kid, extra, claims, signature }) =>
				[b64json({ ...extra, alg, kid }), b64json({ ...CLAIMS, ...claims }), b64(Buffer.from(signature))].join('.'),
			);
		await fc.assert(
			fc.asyncProperty(token, async (candidate) => {
				for (const settings of [secretSettings(), pemSettings(spki(rsa)), pemSettings(PEM_ES256), jwksSettings()]) {
					expect((await verify(candidate, settings, endpoint.fetchJson)).valid).toBe(false);
				}
			}),
			{ numRuns: 300 },
		);
		expect(endpoint.calls).toBe(1);
	});

	test('changing any one character of a valid token makes it fail', async () => {
		const names = [...SYMMETRIC, ...ASYMMETRIC];
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
		const endpoint = jwksEndpoint();
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...names), fc.nat(), fc.constantFrom(...alphabet.split('')), async (name, at, replacement) => {
				const token = T[name];
				const index = at % token.length;
				fc.pre(token[index] !== replacement);
				const mutated = token.slice(0, index) + replacement + token.slice(index + 1);
				const settings = name.startsWith('HS') ? secretSettings() : jwksSettings();
				expect((await verify(mutated, settings, endpoint.fetchJson)).valid).toBe(false);
			}),
			{ numRuns: 500 },
		);
	});

	test('random JWKS documents never make a forged token verify, nor throw', async () => {
		const forged = T['ES256 other key'];
		await fc.assert(
			fc.asyncProperty(fc.oneof(fc.anything(), fc.record({ keys: fc.array(fc.anything(), { maxLength: 5 }) })), async (document) => {
				resetJwksCache();
				const endpoint = jwksEndpoint();
				endpoint.document = document; // even undefined
				expect((await verify(forged, jwksSettings(), endpoint.fetchJson)).valid).toBe(false);
				expect(await checkJwtKeyMaterial(jwksSettings(), endpoint.fetchJson)).toEqual(expect.any(String));
			}),
			{ numRuns: 200 },
		);
	});
});

test('every failure reason seen above is a known, short one without key material', () => {
	const known = new Set([
		'missing bearer token',
		'malformed token',
		'alg none refused',
		'algorithm not allowed',
		'key does not fit the algorithm',
		'signature mismatch',
		'token expired',
		'token not yet valid',
		'token issued in the future',
		'wrong issuer',
		'wrong audience',
		'unknown key id',
		'could not fetch signing keys',
		'no verification key configured',
		'invalid verification key',
		'unsupported critical header',
		'token has no expiry',
		'JWKS URL must use https',
	]);
	expect([...seenReasons].filter((reason) => !known.has(reason))).toEqual([]);
	// Every reason but the catch-all is exercised.
	expect([...known].filter((reason) => !seenReasons.has(reason))).toEqual([]);
});
