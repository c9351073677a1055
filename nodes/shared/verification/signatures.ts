import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

import { remember } from '../boundedMap';

/** The outcome of a check: either genuine, or a short reason safe to show to the sender. */
export type Verification = { valid: true } | { valid: false; reason: string };

export const VALID: Verification = { valid: true };
export const invalid = (reason: string): Verification => ({ valid: false, reason });

export type HmacAlgorithm = 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

/** Compares in constant time; a length mismatch is not secret, so it is checked first. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

// KeyObjects make HMAC several times faster than Buffer keys on Node 24; a handful of
// secrets per process is the norm, so a small cache bounded by size is enough.
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_LIMIT = 32;

function secretKey(material: string, encoding: 'utf8' | 'base64'): KeyObject {
	const cacheKey = `${encoding}:${material}`;
	const key = keyCache.get(cacheKey);
	return key ?? remember(keyCache, cacheKey, createSecretKey(Buffer.from(material, encoding)), KEY_CACHE_LIMIT);
}

function hmac(algorithm: HmacAlgorithm, key: KeyObject, ...parts: Array<string | Buffer>): Buffer {
	const mac = createHmac(algorithm, key);
	for (const part of parts) mac.update(part);
	return mac.digest();
}

/**
 * Decodes a signature as sent. Only the canonical text of the bytes is accepted (hex in either
 * case; standard base64 with its padding), as the platforms' own libraries compare strings:
 * the same signature written another way (unpadded, URL-safe) is refused.
 */
function decodeSignature(text: string, encoding: SignatureEncoding): Buffer | undefined {
	if (encoding === 'hex') {
		return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
	}
	const decoded = Buffer.from(text, 'base64');
	return decoded.length > 0 && decoded.toString('base64') === text ? decoded : undefined;
}

/**
 * Most entries a signature header may hold. Platforms send one signature, a few while a secret
 * rotates; a header with more is refused whole (not cut short, which could drop the genuine
 * signature and report a misleading mismatch), and scanning stops there, so a 64 KiB header
 * costs no more than its first entries.
 */
export const MAX_SIGNATURE_ENTRIES = 32;
export const TOO_MANY_ENTRIES = `more than ${MAX_SIGNATURE_ENTRIES} entries in the signature header`;

/** The non-empty runs of `entry` in `text` (one list item each), or undefined past `max` items. */
function listItems(text: string, entry: RegExp, max = MAX_SIGNATURE_ENTRIES): string[] | undefined {
	const items: string[] = [];
	for (const [item] of text.matchAll(entry)) {
		if (items.length === max) return undefined;
		items.push(item);
	}
	return items;
}

/** Shortest key accepted: a shorter HMAC key (`whsec_A` decodes to none) can be guessed offline from one delivery. */
export const MIN_SECRET_BYTES = 16;
export type SecretProblem = 'not_base64' | 'too_short';
export const SECRET_TOO_SHORT = 'the configured signing secret is too short';
const SECRET_NOT_BASE64 = 'the signing secret is not valid base64';

/** The key bytes of a Standard Webhooks secret (`whsec_` prefix optional), or why it cannot be one. */
function standardWebhookKey(secret: string): KeyObject | SecretProblem {
	const keyText = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) return 'not_base64';
	const key = secretKey(keyText, 'base64');
	return (key.symmetricKeySize ?? 0) < MIN_SECRET_BYTES ? 'too_short' : key;
}

/**
 * What is wrong with a signing secret for its scheme, if anything: Standard Webhooks secrets are
 * base64 key bytes, every other scheme uses the secret's UTF-8 text as the key (or compares it).
 */
export function signingSecretProblem(secret: string, format: 'standardWebhooks' | 'text'): SecretProblem | undefined {
	if (format === 'standardWebhooks') {
		const key = standardWebhookKey(secret);
		return typeof key === 'string' ? key : undefined;
	}
	return Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES ? 'too_short' : undefined;
}

const secretRefusal = (problem: SecretProblem) =>
	invalid(problem === 'too_short' ? SECRET_TOO_SHORT : SECRET_NOT_BASE64);

function anyMatches(expected: Buffer, candidates: string[], encoding: SignatureEncoding): boolean {
	let matched = false;
	// Check every candidate (no early exit) so timing does not reveal which one matched.
	for (const candidate of candidates) {
		const decoded = decodeSignature(candidate, encoding);
		if (decoded && safeEqual(decoded, expected)) matched = true;
	}
	return matched;
}

/**
 * A signing time within `tolerance` of `now`, either way; the three in one unit (seconds for most
 * schemes, milliseconds for Retell's).
 */
export function checkTimestamp(time: number, tolerance: number, now: number): Verification {
	// A tolerance that is not a positive number would turn the replay check off (NaN compares false).
	if (!(tolerance > 0 && Number.isFinite(tolerance))) return invalid('invalid tolerance');
	if (!Number.isSafeInteger(time) || time <= 0) return invalid('invalid timestamp');
	if (now - time > tolerance) return invalid('timestamp too old');
	if (time - now > tolerance) return invalid('timestamp in the future');
	return VALID;
}

const parseSeconds = (text: string | undefined): number =>
	text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) : NaN;

export interface TimestampOptions {
	/** Allowed clock difference either way, in seconds. */
	toleranceSeconds: number;
	/** Unix seconds; injectable for tests. */
	nowSeconds?: number;
}

const now = (options: TimestampOptions) => options.nowSeconds ?? Math.floor(Date.now() / 1000);

/**
 * Standard Webhooks (and Svix, its origin): `id.timestamp.body` signed with the base64 secret
 * after its `whsec_` prefix; the signature header is a space-separated list of `v1,<base64>`.
 */
export function verifyStandardWebhook(
	message: { id?: string; timestamp?: string; signature?: string; body: Buffer },
	secret: string,
	options: TimestampOptions,
): Verification {
	const { id, timestamp, signature, body } = message;
	if (!id || !timestamp || !signature) return invalid('missing signature headers');
	const key = standardWebhookKey(secret);
	if (typeof key === 'string') return secretRefusal(key);
	const time = checkTimestamp(parseSeconds(timestamp), options.toleranceSeconds, now(options));
	if (!time.valid) return time;
	const entries = listItems(signature, /[^ ]+/g);
	if (!entries) return invalid(TOO_MANY_ENTRIES);
	const candidates = entries.filter((entry) => entry.startsWith('v1,')).map((entry) => entry.slice(3));
	if (candidates.length === 0) return invalid('malformed signature header');
	const expected = hmac('sha256', key, id, '.', timestamp, '.', body);
	return anyMatches(expected, candidates, 'base64') ? VALID : invalid('signature mismatch');
}

/**
 * Splits `t=1,v1=ab,v1=cd` into key → values; repeated keys (secret rotation) are all kept.
 * Undefined when the header has more than `max` comma-separated parts.
 */
export function parseKeyValueHeader(header: string, max = MAX_SIGNATURE_ENTRIES): Map<string, string[]> | undefined {
	const parts = listItems(header, /[^,]+/g, max);
	if (!parts) return undefined;
	const entries = new Map<string, string[]>();
	for (const part of parts) {
		const at = part.indexOf('=');
		if (at <= 0) continue;
		const key = part.slice(0, at).trim();
		const values = entries.get(key);
		if (values) values.push(part.slice(at + 1).trim());
		else entries.set(key, [part.slice(at + 1).trim()]);
	}
	return entries;
}

export interface TimestampedHmacOptions extends TimestampOptions {
	/** The key holding the signature: `v1` (Stripe, Layercode), `v0` (ElevenLabs). */
	signatureKey?: string;
	algorithm?: HmacAlgorithm;
}

/**
 * Stripe-style `t=<unix seconds>,v1=<hex>` over `t + "." + body` with the secret as text
 * (Stripe, Layercode, ElevenLabs with `v0`).
 */
export function verifyTimestampedHmac(
	header: string | undefined,
	body: Buffer,
	secret: string,
	options: TimestampedHmacOptions,
): Verification {
	if (!header) return invalid('missing signature header');
	const problem = signingSecretProblem(secret, 'text');
	if (problem) return secretRefusal(problem);
	const entries = parseKeyValueHeader(header);
	if (!entries) return invalid(TOO_MANY_ENTRIES);
	const timestamps = entries.get('t') ?? [];
	const signatures = entries.get(options.signatureKey ?? 'v1') ?? [];
	if (timestamps.length !== 1 || signatures.length === 0) return invalid('malformed signature header');
	const time = checkTimestamp(parseSeconds(timestamps[0]), options.toleranceSeconds, now(options));
	if (!time.valid) return time;
	const expected = hmac(options.algorithm ?? 'sha256', secretKey(secret, 'utf8'), timestamps[0], '.', body);
	return anyMatches(expected, signatures, 'hex') ? VALID : invalid('signature mismatch');
}

export interface BodyHmacOptions {
	algorithm: HmacAlgorithm;
	encoding: SignatureEncoding;
	/** Text before the signature, e.g. `sha256=`; compared case-insensitively. */
	prefix?: string;
}

/** Plain HMAC of the raw body (SpeakNode, GitHub-style `sha256=` headers). No replay protection. */
export function verifyBodyHmac(
	header: string | undefined,
	body: Buffer,
	secret: string,
	options: BodyHmacOptions,
): Verification {
	if (!header) return invalid('missing signature header');
	const problem = signingSecretProblem(secret, 'text');
	if (problem) return secretRefusal(problem);
	// Several signatures may be sent comma- or space-separated while a secret rotates.
	const parts = listItems(header, /[^\s,]+/g);
	if (!parts) return invalid(TOO_MANY_ENTRIES);
	const prefix = options.prefix ?? '';
	const candidates = parts.map((part) =>
		part.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase() ? part.slice(prefix.length) : '',
	);
	if (!candidates.some((candidate) => candidate !== '')) return invalid('malformed signature header');
	const expected = hmac(options.algorithm, secretKey(secret, 'utf8'), body);
	return anyMatches(expected, candidates, options.encoding) ? VALID : invalid('signature mismatch');
}

/** A header that must equal the secret itself (Vapi's `x-vapi-secret`). */
export function verifySharedSecret(header: string | undefined, secret: string): Verification {
	if (!header) return invalid('missing secret header');
	const problem = signingSecretProblem(secret, 'text');
	if (problem) return secretRefusal(problem);
	const expected = createHmac('sha256', 'shared-secret').update(secret).digest();
	const received = createHmac('sha256', 'shared-secret').update(header).digest();
	// Hashing both first gives equal lengths, so the comparison leaks nothing about the secret's length.
	return safeEqual(received, expected) ? VALID : invalid('secret mismatch');
}

export interface HmacCheck extends Partial<TimestampOptions> {
	/** The signing secret's text (the HMAC key). */
	secret: string;
	/** What was signed, in order, concatenated without separators. */
	signed: Array<string | Buffer>;
	/** The signatures the request carries, as sent (several while a secret rotates). */
	signatures: string[];
	algorithm?: HmacAlgorithm;
	encoding?: SignatureEncoding;
	/** The signing time in Unix seconds, checked against `toleranceSeconds`; NaN is refused. */
	timestampSeconds?: number;
}

/**
 * The building block for a platform's own scheme (Retell: body then milliseconds; Vapi:
 * timestamp.body): checks the secret, the signing time when there is one, and then the HMAC of
 * `signed` against every signature in constant time.
 */
export function verifyHmac(check: HmacCheck): Verification {
	const problem = signingSecretProblem(check.secret, 'text');
	if (problem) return secretRefusal(problem);
	if (check.signatures.length === 0) return invalid('malformed signature header');
	if (check.signatures.length > MAX_SIGNATURE_ENTRIES) return invalid(TOO_MANY_ENTRIES);
	if (check.timestampSeconds !== undefined) {
		const time = checkTimestamp(check.timestampSeconds, check.toleranceSeconds ?? NaN, check.nowSeconds ?? Math.floor(Date.now() / 1000));
		if (!time.valid) return time;
	}
	const expected = hmac(check.algorithm ?? 'sha256', secretKey(check.secret, 'utf8'), ...check.signed);
	return anyMatches(expected, check.signatures, check.encoding ?? 'hex') ? VALID : invalid('signature mismatch');
}
