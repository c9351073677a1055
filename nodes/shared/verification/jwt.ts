import {
	constants,
	createHmac,
	createPublicKey,
	createSecretKey,
	verify as verifySignature,
	type JsonWebKey,
	type KeyObject,
} from 'node:crypto';

import { isLoopbackHost } from '../urls';
import { MIN_SECRET_BYTES, safeEqual, signingSecretProblem, type Verification } from './signatures';
import { remember } from '../boundedMap';

/**
 * Inbound `Authorization: Bearer <JWT>` (a compact JWS) checked with node:crypto alone: a shared
 * secret (HS*), a PEM public key or a JWKS URL (RS*, PS*, ES*, EdDSA). Every failure is a short
 * reason that is safe to send back to the caller and never contains key material.
 */

export type JwtAlgorithm =
	| 'HS256'
	| 'HS384'
	| 'HS512'
	| 'RS256'
	| 'RS384'
	| 'RS512'
	| 'PS256'
	| 'PS384'
	| 'PS512'
	| 'ES256'
	| 'ES384'
	| 'ES512'
	| 'EdDSA';

export interface JwtSettings {
	keyType: 'secret' | 'publicKey' | 'jwks';
	/** HS*: the shared secret as text (its UTF-8 bytes are the key). */
	secret?: string;
	/** PEM: SPKI `BEGIN PUBLIC KEY`, PKCS#1 `BEGIN RSA PUBLIC KEY` or an X.509 `BEGIN CERTIFICATE`. */
	publicKey?: string;
	jwksUrl?: string;
	/** The allowed algorithms; anything else is refused. */
	algorithms: JwtAlgorithm[];
	/** If non-empty, `iss` must equal it. */
	issuer?: string;
	/** If non-empty, `aud` (a string or a list) must contain it. */
	audience?: string;
	/** Allowed clock difference for `exp`, `nbf` and `iat`, in seconds. */
	leewaySeconds: number;
	/** Accept tokens without `exp` (they never expire). Off unless the user switched it on. */
	allowMissingExpiry?: boolean;
}

/** Fetches a JWKS document (the trigger passes n8n's HTTP helper). */
export type FetchJson = (url: string) => Promise<unknown>;

export type JwtVerification = (Verification & { valid: false }) | { valid: true; claims: Record<string, unknown> };

type Failure = Verification & { valid: false };
const fail = (reason: string): Failure => ({ valid: false, reason });

/** Node's default limit for all request headers together is 16 KiB: a longer token cannot be genuine. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** RS* and PS* keys below this size are refused (as jose and RFC 7518 §3.3 do). */
const MIN_RSA_BITS = 2048;

/** Keys older than this are refreshed. */
const JWKS_MAX_AGE_SECONDS = 10 * 60;
/** At most one fetch per URL this often, whatever its outcome (success, 503, no keys, timeout). */
const JWKS_REFETCH_SECONDS = 30;
/** While refreshes fail, the last good keys are served this long after they were fetched. */
const JWKS_STALE_LIMIT_SECONDS = 24 * 60 * 60;
// Generous: each credential names one URL, and an evicted URL would lose its 30 s fetch limit.
export const JWKS_MAX_URLS = 256;
const JWKS_MAX_KEYS = 100;
const KEY_CACHE_LIMIT = 32;

// ---------------------------------------------------------------------------------------------
// Algorithms and keys

type Hash = 'sha256' | 'sha384' | 'sha512';
type AlgorithmSpec =
	| { family: 'HS' | 'RS' | 'PS'; hash: Hash }
	| { family: 'ES'; hash: Hash; namedCurve: string; signatureLength: number }
	| { family: 'EdDSA' };

const ALGORITHMS: Record<JwtAlgorithm, AlgorithmSpec> = {
	HS256: { family: 'HS', hash: 'sha256' },
	HS384: { family: 'HS', hash: 'sha384' },
	HS512: { family: 'HS', hash: 'sha512' },
	RS256: { family: 'RS', hash: 'sha256' },
	RS384: { family: 'RS', hash: 'sha384' },
	RS512: { family: 'RS', hash: 'sha512' },
	PS256: { family: 'PS', hash: 'sha256' },
	PS384: { family: 'PS', hash: 'sha384' },
	PS512: { family: 'PS', hash: 'sha512' },
	ES256: { family: 'ES', hash: 'sha256', namedCurve: 'prime256v1', signatureLength: 64 },
	ES384: { family: 'ES', hash: 'sha384', namedCurve: 'secp384r1', signatureLength: 96 },
	ES512: { family: 'ES', hash: 'sha512', namedCurve: 'secp521r1', signatureLength: 132 },
	EdDSA: { family: 'EdDSA' },
};

export const JWT_ALGORITHMS = Object.keys(ALGORITHMS) as JwtAlgorithm[];

const isAlgorithm = (name: unknown): name is JwtAlgorithm =>
	typeof name === 'string' && Object.prototype.hasOwnProperty.call(ALGORITHMS, name);

/** The configured list, minus anything that is not a known algorithm. */
const allowedAlgorithms = (settings: JwtSettings): JwtAlgorithm[] =>
	Array.isArray(settings.algorithms) ? settings.algorithms.filter(isAlgorithm) : [];

/** Whether a public key may check signatures of `alg` (type, curve, size, PSS restrictions). */
function keyFits(key: KeyObject, alg: JwtAlgorithm): boolean {
	const spec = ALGORITHMS[alg];
	if (key.type !== 'public') return false;
	const type = key.asymmetricKeyType;
	const details = key.asymmetricKeyDetails ?? {};
	switch (spec.family) {
		case 'RS':
			return type === 'rsa' && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
		case 'PS': {
			// An RSA-PSS key may be restricted to one hash.
			const hashFits = details.hashAlgorithm === undefined || details.hashAlgorithm === spec.hash;
			return (type === 'rsa' || (type === 'rsa-pss' && hashFits)) && (details.modulusLength ?? 0) >= MIN_RSA_BITS;
		}
		case 'ES':
			return type === 'ec' && details.namedCurve === spec.namedCurve;
		case 'EdDSA':
			return type === 'ed25519' || type === 'ed448';
		default:
			return false;
	}
}

function signatureMatches(alg: JwtAlgorithm, key: KeyObject, signingInput: string, signature: Buffer): boolean {
	const spec = ALGORITHMS[alg];
	const data = Buffer.from(signingInput, 'latin1'); // base64url and '.' only
	try {
		switch (spec.family) {
			case 'HS':
				return safeEqual(signature, createHmac(spec.hash, key).update(data).digest());
			case 'RS':
				return verifySignature(`RSA-${spec.hash.toUpperCase()}`, data, key, signature);
			case 'PS':
				return verifySignature(
					spec.hash,
					data,
					{ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
					signature,
				);
			case 'ES':
				return (
					signature.length === spec.signatureLength &&
					verifySignature(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
				);
			case 'EdDSA':
				return verifySignature(null, data, key, signature);
			default:
				return false;
		}
	} catch {
		// OpenSSL refuses some inputs outright (e.g. a PSS key restricted to other parameters).
		return false;
	}
}

const secretKeys = new Map<string, KeyObject>();

/** The signature schemes' minimum: a shorter HS* secret can be guessed offline from one captured token. */
const secretTooShort = (secret: string): boolean => signingSecretProblem(secret, 'text') === 'too_short';

function secretKey(secret: string): KeyObject {
	const cached = secretKeys.get(secret);
	return cached ?? remember(secretKeys, secret, createSecretKey(Buffer.from(secret, 'utf8')), KEY_CACHE_LIMIT);
}

/**
 * Re-wraps a pasted PEM: literal `\n` (from environment variables or JSON), CRLF, a block pasted
 * on one line, indentation. Anything but one public-key or certificate block is refused.
 */
function normalizePem(text: string): { pem: string } | { error: string } {
	const unescaped = text.replace(/\\r/g, '').replace(/\\n/g, '\n');
	const block = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(unescaped);
	if (!block) return { error: 'the public key is not a PEM block (-----BEGIN PUBLIC KEY-----)' };
	const label = block[1];
	if (label.includes('PRIVATE')) {
		return { error: 'this is a private key: paste the public key (or certificate) instead' };
	}
	if (!['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE'].includes(label)) {
		return { error: `unsupported PEM block "${label}": expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE` };
	}
	const body = block[2].replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return { error: 'the PEM block is not valid base64' };
	const lines = body.match(/.{1,64}/g) ?? [];
	return { pem: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n` };
}

const pemKeys = new Map<string, KeyObject | string>();

/** The public key of a PEM (cached), or what is wrong with it. */
function pemKey(text: string): KeyObject | string {
	const cached = pemKeys.get(text);
	if (cached !== undefined) return cached;
	const normalized = normalizePem(text);
	let result: KeyObject | string;
	if ('error' in normalized) {
		result = normalized.error;
	} else {
		try {
			result = createPublicKey(normalized.pem);
		} catch {
			result = 'the PEM block does not hold a usable public key';
		}
	}
	return remember(pemKeys, text, result, KEY_CACHE_LIMIT);
}

function describeKey(key: KeyObject): string {
	const details = key.asymmetricKeyDetails ?? {};
	if (details.namedCurve) return `${key.asymmetricKeyType} ${details.namedCurve}`;
	if (details.modulusLength) return `${key.asymmetricKeyType} ${details.modulusLength}-bit`;
	return String(key.asymmetricKeyType);
}

// ---------------------------------------------------------------------------------------------
// JWKS

interface JwkEntry {
	key: KeyObject;
	alg?: string;
	kty: string;
	crv?: string;
}

interface JwksEntry {
	/** The keys of the last successful fetch (at least one usable key), by `kid` ('' for none). */
	keys?: Map<string, JwkEntry>;
	/** When `keys` were fetched (Unix seconds). */
	fetchedAt: number;
	/** The last fetch attempt, whatever its outcome: the next one waits JWKS_REFETCH_SECONDS. */
	attemptedAt: number;
}

/** By URL, least recently used first. */
const jwksCache = new Map<string, JwksEntry>();
/** Fetches under way, so that concurrent requests share one. */
const jwksInFlight = new Map<string, Promise<JwksEntry>>();

/** Forgets every cached JWKS (for tests). */
export function resetJwksCache(): void {
	jwksCache.clear();
	jwksInFlight.clear();
	pemKeys.clear();
	secretKeys.clear();
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** Public parameters only: private ones, if a JWKS carries them by mistake, are never kept. */
const PUBLIC_JWK_PARAMETERS: Record<string, string[]> = {
	RSA: ['n', 'e'],
	EC: ['crv', 'x', 'y'],
	OKP: ['crv', 'x'],
};

function importJwk(jwk: unknown): (JwkEntry & { kid: string }) | undefined {
	if (!isObject(jwk) || typeof jwk.kty !== 'string') return undefined;
	const parameters = PUBLIC_JWK_PARAMETERS[jwk.kty];
	if (!parameters || !parameters.every((name) => typeof jwk[name] === 'string')) return undefined;
	if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return undefined;
	if (jwk.alg !== undefined && typeof jwk.alg !== 'string') return undefined;
	if (jwk.use !== undefined && jwk.use !== 'sig') return undefined;
	if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return undefined;
	const publicJwk: Record<string, string> = { kty: jwk.kty };
	for (const name of parameters) publicJwk[name] = jwk[name] as string;
	try {
		const key = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
		return { key, kty: jwk.kty, crv: publicJwk.crv, alg: jwk.alg, kid: jwk.kid ?? '' };
	} catch {
		return undefined; // an unsupported curve or a broken key: skipped, like any unusable entry
	}
}

/** The usable signing keys of a JWKS document, or what is wrong with it. */
function parseJwks(document: unknown): Map<string, JwkEntry> | string {
	let parsed = document;
	if (typeof parsed === 'string' || Buffer.isBuffer(parsed)) {
		try {
			parsed = JSON.parse(parsed.toString()) as unknown;
		} catch {
			return 'the JWKS URL did not return JSON';
		}
	}
	if (!isObject(parsed) || !Array.isArray(parsed.keys)) {
		return 'the JWKS URL did not return a JWKS document (no "keys" list)';
	}
	const keys = new Map<string, JwkEntry>();
	for (const jwk of parsed.keys.slice(0, JWKS_MAX_KEYS)) {
		const entry = importJwk(jwk);
		if (entry && !keys.has(entry.kid)) {
			const { kid, ...rest } = entry;
			keys.set(kid, rest);
		}
	}
	return keys.size > 0 ? keys : 'the JWKS has no usable signing keys';
}

const errorText = (error: unknown): string =>
	(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);

/** Fetches and parses a JWKS document, without touching the cache. */
async function downloadJwks(url: string, fetchJson: FetchJson): Promise<Map<string, JwkEntry> | string> {
	let document: unknown;
	try {
		document = await fetchJson(url);
	} catch (error) {
		return `could not fetch the JWKS: ${errorText(error)}`;
	}
	return parseJwks(document);
}

/**
 * One fetch for the URL, shared by concurrent callers. The attempt is recorded before it starts,
 * so failures are rate-limited like successes; only a document with a usable key replaces the
 * keys, so a 503 or an empty set leaves the last good keys in place.
 */
async function refreshJwks(url: string, fetchJson: FetchJson, nowSeconds: number): Promise<JwksEntry> {
	const pending = jwksInFlight.get(url);
	if (pending) return await pending;
	const entry = jwksCache.get(url) ?? remember(jwksCache, url, { fetchedAt: 0, attemptedAt: nowSeconds }, JWKS_MAX_URLS);
	entry.attemptedAt = nowSeconds;
	const attempt = downloadJwks(url, fetchJson)
		.then((keys) => {
			if (typeof keys !== 'string') {
				entry.keys = keys;
				entry.fetchedAt = nowSeconds;
			}
			return entry;
		})
		.finally(() => jwksInFlight.delete(url));
	jwksInFlight.set(url, attempt);
	return await attempt;
}

/** A JWK may check `alg` if its own `alg` (when given) says so and its type and curve fit. */
const jwkFits = (jwk: JwkEntry, alg: JwtAlgorithm): boolean =>
	(jwk.alg === undefined || jwk.alg === alg) && keyFits(jwk.key, alg);

function pickKey(keys: Map<string, JwkEntry>, kid: string | undefined): JwkEntry | undefined {
	if (kid !== undefined) return keys.get(kid);
	return keys.size === 1 ? keys.values().next().value : undefined;
}

async function jwksKey(
	url: string,
	kid: string | undefined,
	fetchJson: FetchJson,
	nowSeconds: number,
): Promise<JwkEntry | Failure> {
	let entry = jwksCache.get(url);
	if (entry) {
		// Most recently used last, so that the least recently used URL is evicted first.
		jwksCache.delete(url);
		jwksCache.set(url, entry);
	}
	// A clock set back by more than the spacing counts as due, so a fetch is never put off for long.
	const due = (current: JwksEntry | undefined) =>
		!current ||
		nowSeconds - current.attemptedAt >= JWKS_REFETCH_SECONDS ||
		nowSeconds < current.attemptedAt - JWKS_REFETCH_SECONDS;
	// While refreshes fail the last good keys are served, but not forever: a key the issuer
	// withdrew during a long outage must stop working at some point.
	const usableKeys = (current: JwksEntry | undefined) =>
		current?.keys && nowSeconds - current.fetchedAt < JWKS_STALE_LIMIT_SECONDS ? current.keys : undefined;
	const fresh = entry?.keys !== undefined && nowSeconds - entry.fetchedAt < JWKS_MAX_AGE_SECONDS;
	if (!fresh && (jwksInFlight.has(url) || due(entry))) entry = await refreshJwks(url, fetchJson, nowSeconds);
	let keys = usableKeys(entry);
	if (!keys) return fail('could not fetch signing keys');
	let found = pickKey(keys, kid);
	// Keys rotate: an unknown kid re-fetches (or joins the fetch under way), but a stream of
	// forged kids gets at most one fetch per URL every 30 seconds.
	if (!found && (jwksInFlight.has(url) || due(entry))) {
		keys = usableKeys(await refreshJwks(url, fetchJson, nowSeconds));
		if (!keys) return fail('could not fetch signing keys');
		found = pickKey(keys, kid);
	}
	return found ?? fail('unknown key id');
}

/** https only: a JWKS fetched over plain http can be swapped on the way. Loopback http is for tests. */
function jwksUrlProblem(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'the JWKS URL is not a URL: it must start with https://';
	}
	if (parsed.protocol === 'https:' && parsed.hostname !== '') return undefined;
	if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return undefined;
	return 'the JWKS URL must start with https:// (http:// only for localhost, 127.0.0.0/8 or [::1])';
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface ParsedToken {
	header: Record<string, unknown>;
	payload: Record<string, unknown>;
	signingInput: string;
	signature: Buffer;
}

/** Strict base64url: the alphabet only, no padding, and canonical (re-encodes to itself). */
function decodeSegment(segment: string): Buffer | undefined {
	if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return undefined;
	const bytes = Buffer.from(segment, 'base64url');
	return bytes.toString('base64url') === segment ? bytes : undefined;
}

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
	const bytes = decodeSegment(segment);
	if (!bytes || bytes.length === 0) return undefined;
	const text = bytes.toString('utf8');
	if (!Buffer.from(text, 'utf8').equals(bytes)) return undefined; // not valid UTF-8
	try {
		const value = JSON.parse(text) as unknown;
		return isObject(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

function parseToken(token: string): ParsedToken | undefined {
	if (token.length > MAX_TOKEN_LENGTH) return undefined;
	const parts = token.split('.');
	if (parts.length !== 3) return undefined;
	const [headerPart, payloadPart, signaturePart] = parts;
	const header = decodeJsonObject(headerPart);
	const payload = decodeJsonObject(payloadPart);
	const signature = decodeSegment(signaturePart);
	if (!header || !payload || !signature) return undefined;
	return { header, payload, signingInput: `${headerPart}.${payloadPart}`, signature };
}

const bearerToken = (authorization: string | undefined): string | undefined =>
	typeof authorization === 'string' ? /^\s*Bearer +([^\s]+)\s*$/i.exec(authorization)?.[1] : undefined;

function checkClaims(payload: Record<string, unknown>, settings: JwtSettings, nowSeconds: number): Failure | undefined {
	const leeway = Number.isFinite(settings.leewaySeconds) && settings.leewaySeconds > 0 ? settings.leewaySeconds : 0;
	const { exp, nbf, iat } = payload;
	const isTime = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isFinite(value));
	if (![exp, nbf, iat].every(isTime)) return fail('malformed token');
	// A token without exp would work forever once captured: refused unless the user opted in.
	if (exp === undefined && settings.allowMissingExpiry !== true) return fail('token has no expiry');
	if (typeof exp === 'number' && exp <= nowSeconds - leeway) return fail('token expired');
	if (typeof nbf === 'number' && nbf > nowSeconds + leeway) return fail('token not yet valid');
	if (typeof iat === 'number' && iat > nowSeconds + leeway) return fail('token issued in the future');
	const issuer = settings.issuer?.trim();
	if (issuer && payload.iss !== issuer) return fail('wrong issuer');
	const audience = settings.audience?.trim();
	if (audience) {
		const { aud } = payload;
		const audiences = Array.isArray(aud) ? aud : [aud];
		if (!audiences.includes(audience)) return fail('wrong audience');
	}
	return undefined;
}

/** The configured key material for the key type, or undefined when there is none. */
function configuredMaterial(settings: JwtSettings): string | undefined {
	const material =
		settings.keyType === 'secret'
			? settings.secret
			: settings.keyType === 'publicKey'
				? settings.publicKey
				: settings.keyType === 'jwks'
					? settings.jwksUrl
					: undefined;
	if (typeof material !== 'string') return undefined;
	// A secret is used as typed; a PEM or URL may carry stray whitespace from pasting.
	return settings.keyType === 'secret' ? material || undefined : material.trim() || undefined;
}

async function verifyToken(
	authorization: string | undefined,
	settings: JwtSettings,
	fetchJson: FetchJson,
	nowSeconds: number,
): Promise<JwtVerification> {
	const material = configuredMaterial(settings);
	if (material === undefined) return fail('no verification key configured');
	if (settings.keyType === 'secret' && secretTooShort(material)) return fail('invalid verification key');
	if (settings.keyType === 'jwks' && jwksUrlProblem(material)) return fail('JWKS URL must use https');

	const token = bearerToken(authorization);
	if (!token) return fail('missing bearer token');
	const parsed = parseToken(token);
	if (!parsed) return fail('malformed token');
	const { header, payload } = parsed;
	if (typeof header.alg !== 'string') return fail('malformed token');
	if (header.alg.toLowerCase() === 'none') return fail('alg none refused');
	const alg = header.alg;
	if (!isAlgorithm(alg) || !allowedAlgorithms(settings).includes(alg)) return fail('algorithm not allowed');
	if (header.kid !== undefined && typeof header.kid !== 'string') return fail('malformed token');
	// RFC 7515 §4.1.11: extensions marked critical must be understood; none are.
	if (header.crit !== undefined) return fail('unsupported critical header');
	// Embedded keys (`jwk`, `jku`, `x5u`, `x5c`) are never trusted: only the configured key counts.

	const symmetric = ALGORITHMS[alg].family === 'HS';
	if (symmetric !== (settings.keyType === 'secret')) return fail('key does not fit the algorithm');

	let key: KeyObject;
	if (settings.keyType === 'secret') {
		key = secretKey(material);
	} else if (settings.keyType === 'publicKey') {
		const pem = pemKey(material);
		if (typeof pem === 'string') return fail('invalid verification key');
		if (!keyFits(pem, alg)) return fail('key does not fit the algorithm');
		key = pem;
	} else {
		const found = await jwksKey(material, header.kid, fetchJson, nowSeconds);
		if ('valid' in found) return found;
		if (!jwkFits(found, alg)) return fail('key does not fit the algorithm');
		key = found.key;
	}

	if (!signatureMatches(alg, key, parsed.signingInput, parsed.signature)) return fail('signature mismatch');
	return checkClaims(payload, settings, nowSeconds) ?? { valid: true, claims: payload };
}

/**
 * Verifies `Authorization: Bearer <JWT>`: the signature with the configured key (never one named
 * by the token), then `exp`/`nbf`/`iat` within the leeway, `iss` and `aud`. Never throws.
 */
export async function verifyBearerToken(
	authorization: string | undefined,
	settings: JwtSettings,
	fetchJson: FetchJson,
	nowSeconds?: number,
): Promise<JwtVerification> {
	try {
		return await verifyToken(authorization, settings, fetchJson, nowSeconds ?? Math.floor(Date.now() / 1000));
	} catch {
		// Not expected (every step handles its own errors); fail closed all the same.
		return fail('token could not be verified');
	}
}

/** Checks the key material without a token (for the credential test): undefined when usable, else what is wrong. */
export async function checkJwtKeyMaterial(
	settings: JwtSettings,
	fetchJson: FetchJson,
	{ download = true }: { download?: boolean } = {},
): Promise<string | undefined> {
	const algorithms = allowedAlgorithms(settings);
	if (algorithms.length === 0) return 'no algorithm is allowed: choose at least one';
	const material = configuredMaterial(settings);
	switch (settings.keyType) {
		case 'secret': {
			if (material === undefined) return 'no shared secret is set';
			if (secretTooShort(material)) {
				return `the shared secret is shorter than ${MIN_SECRET_BYTES} bytes: use a random secret of at least 32 characters`;
			}
			if (!algorithms.some((alg) => ALGORITHMS[alg].family === 'HS')) {
				return 'a shared secret only works with HS256, HS384 or HS512: allow one of them';
			}
			return undefined;
		}
		case 'publicKey': {
			if (material === undefined) return 'no public key is set';
			const key = pemKey(material);
			if (typeof key === 'string') return key;
			if (!algorithms.some((alg) => keyFits(key, alg))) {
				return `the key (${describeKey(key)}) does not fit any allowed algorithm (${algorithms.join(', ')})`;
			}
			return undefined;
		}
		case 'jwks': {
			if (material === undefined) return 'no JWKS URL is set';
			const urlProblem = jwksUrlProblem(material);
			if (urlProblem) return urlProblem;
			if (!download) return undefined;
			// Always a fresh download (the test is about the URL as it is now); the trigger's cache is left alone.
			const keys = await downloadJwks(material, fetchJson);
			if (typeof keys === 'string') return keys;
			if (![...keys.values()].some((jwk) => algorithms.some((alg) => jwkFits(jwk, alg)))) {
				return `no key in the JWKS fits an allowed algorithm (${algorithms.join(', ')})`;
			}
			return undefined;
		}
		default:
			return 'unknown key type';
	}
}
