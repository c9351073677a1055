// Signs deliveries the way each platform does, for the end-to-end tests, the demo and the sender.
// Standard Webhooks / Svix use the `svix` package itself; the others follow PROTOCOLS.md's formulas.
import { createHmac } from 'node:crypto';
import { Webhook } from 'svix';

export type Headers = Record<string, string>;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Svix (Agntix) or Standard Webhooks (`webhook-*` names) headers for a body. */
export function signStandardWebhook(
	body: string,
	secret: string,
	options: { id: string; timestamp?: number; names?: 'svix' | 'webhook' },
): Headers {
	const timestamp = options.timestamp ?? nowSeconds();
	const signature = new Webhook(secret).sign(options.id, new Date(timestamp * 1000), body);
	const prefix = options.names ?? 'svix';
	return {
		[`${prefix}-id`]: options.id,
		[`${prefix}-timestamp`]: String(timestamp),
		[`${prefix}-signature`]: signature,
	};
}

/** `t=<s>,v1=<hex>` over `t.body` (Layercode, Stripe-style). */
export function timestampedSignature(body: string, secret: string, timestamp = nowSeconds(), key = 'v1'): string {
	const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
	return `t=${timestamp},${key}=${mac}`;
}

export function signLayercode(body: string, secret: string, timestamp?: number): Headers {
	return { 'layercode-signature': timestampedSignature(body, secret, timestamp) };
}

/** Plain HMAC of the body (SpeakNode): hex, no prefix, no timestamp. */
export function bodyHmac(body: string, secret: string, algorithm = 'sha256', encoding: 'hex' | 'base64' = 'hex'): string {
	return createHmac(algorithm, secret).update(body).digest(encoding);
}

/** `x-retell-signature: v=<ms>,d=<hex>` over the body followed by the milliseconds (retell-sdk's `sign`), keyed with the API key. */
export function signRetell(body: string, apiKey: string, timestampMs = Date.now()): Headers {
	const digest = createHmac('sha256', apiKey).update(`${body}${timestampMs}`).digest('hex');
	return { 'x-retell-signature': `v=${timestampMs},d=${digest}` };
}

/**
 * Vapi's HMAC credential with its defaults (HmacAuthenticationPlan in @vapi-ai/server-sdk):
 * `x-signature` = hex HMAC-SHA256 of `{timestamp}.{body}`, the timestamp in `x-timestamp`.
 * Vapi does not document the timestamp's unit: seconds unless told.
 */
export function signVapiHmac(body: string, secret: string, timestamp: number = nowSeconds()): Headers {
	const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
	return { 'x-signature': signature, 'x-timestamp': String(timestamp) };
}

/** ElevenLabs Agents: `ElevenLabs-Signature: t=<s>,v0=<hex>` over `t.body`, keyed with the webhook secret as text. */
export function signElevenLabs(body: string, secret: string, timestamp?: number): Headers {
	return { 'elevenlabs-signature': timestampedSignature(body, secret, timestamp, 'v0') };
}
