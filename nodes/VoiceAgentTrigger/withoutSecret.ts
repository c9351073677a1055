import type { IDataObject } from 'n8n-workflow';

const REDACTED = '[redacted]';

/** Replaces every occurrence of the secret in keys and text, at any depth; the rest is kept as it is. */
function redact(value: unknown, secret: string): unknown {
	if (typeof value === 'string') return value.includes(secret) ? value.split(secret).join(REDACTED) : value;
	if (Array.isArray(value)) return value.map((entry) => redact(entry, secret));
	if (value === null || typeof value !== 'object') return value;
	// fromEntries defines own keys, so a sent `__proto__` stays an ordinary key.
	return Object.fromEntries(Object.entries(value).map(([key, entry]) => [redact(key, secret), redact(entry, secret)]));
}

/**
 * The payload without the webhook secret in it. Some platforms echo their configuration in the
 * body (Vapi's `message.assistant` can carry the server's headers, the Bearer token among them):
 * the item and its `raw` are execution data, where a secret must never be. The body is searched
 * first, as sent and as JSON text escapes it, so a payload without the secret costs one scan.
 */
export function withoutSecret(payload: IDataObject, body: string, secret: string): IDataObject {
	if (secret === '') return payload;
	const escaped = JSON.stringify(secret).slice(1, -1);
	if (!body.includes(secret) && !body.includes(escaped)) return payload;
	return redact(payload, secret) as IDataObject;
}
