import type { IWebhookFunctions } from 'n8n-workflow';

import {
	invalid,
	MIN_SECRET_BYTES,
	signingSecretProblem,
	verifyBodyHmac,
	verifySharedSecret,
	verifyStandardWebhook,
	verifyTimestampedHmac,
	type HmacAlgorithm,
	type SignatureEncoding,
	type Verification,
} from './signatures';

/** Request headers as n8n hands them to webhook nodes (node:http itself may not be imported). */
export type IncomingHttpHeaders = ReturnType<IWebhookFunctions['getHeaderData']>;

/** The trigger's Verification parameter. */
export type VerificationMethod =
	| 'standardWebhooks'
	| 'layercodeSignature'
	| 'stripeStyle'
	| 'bodyHmac'
	| 'sharedSecret'
	| 'jwt'
	| 'none';

export interface VerificationSettings {
	method: VerificationMethod;
	/** Header carrying the signature (Stripe-style, plain HMAC, shared secret). */
	header: string;
	algorithm: HmacAlgorithm;
	encoding: SignatureEncoding;
	prefix: string;
	/** `v1` for Stripe and Layercode, `v0` for ElevenLabs. */
	signatureKey: string;
	toleranceSeconds: number;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
	// Own keys only: Node's header object inherits Object.prototype, and the Signature Header
	// parameter is the user's text (a header named "constructor" is not a signature).
	const key = name.toLowerCase();
	const value = Object.prototype.hasOwnProperty.call(headers, key) ? headers[key] : undefined;
	return Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : undefined;
}

/** Standard Webhooks headers, under Svix's names or the standard's own. */
export function standardWebhookHeaders(headers: IncomingHttpHeaders) {
	return {
		id: header(headers, 'svix-id') ?? header(headers, 'webhook-id'),
		timestamp: header(headers, 'svix-timestamp') ?? header(headers, 'webhook-timestamp'),
		signature: header(headers, 'svix-signature') ?? header(headers, 'webhook-signature'),
	};
}

/**
 * Why the credential's signing secret cannot serve the configured method, for the editor at
 * publish time (never quoting the secret); undefined when it can, or the method takes none.
 * Per request the same check is made by the verifiers, which refuse with a short reason.
 */
export function secretProblem(method: VerificationMethod, secret: string): string | undefined {
	if (method === 'standardWebhooks') {
		switch (signingSecretProblem(secret, 'standardWebhooks')) {
			case 'not_base64':
				return 'The Webhook Signing Secret is not a Standard Webhooks secret: expected whsec_ followed by base64. Copy the whole secret from the platform.';
			case 'too_short':
				return `The Webhook Signing Secret is too short: a Standard Webhooks secret must decode to at least ${MIN_SECRET_BYTES} bytes. Copy the whole whsec_… secret from the platform.`;
			default:
				return undefined;
		}
	}
	const textSecret = ['layercodeSignature', 'stripeStyle', 'bodyHmac', 'sharedSecret'].includes(method);
	return textSecret && signingSecretProblem(secret, 'text')
		? `The Webhook Signing Secret is too short: at least ${MIN_SECRET_BYTES} bytes are required. Use the secret the platform generated, or a random one of 32 characters or more.`
		: undefined;
}

/** Checks one request against the configured scheme; `secret` must be non-empty (checked by the caller). */
export function verifyRequest(
	settings: VerificationSettings,
	headers: IncomingHttpHeaders,
	body: Buffer,
	secret: string,
): Verification {
	const timing = { toleranceSeconds: settings.toleranceSeconds };
	switch (settings.method) {
		case 'standardWebhooks':
			return verifyStandardWebhook({ ...standardWebhookHeaders(headers), body }, secret, timing);
		case 'layercodeSignature':
			return verifyTimestampedHmac(header(headers, 'layercode-signature'), body, secret, timing);
		case 'stripeStyle':
			return verifyTimestampedHmac(header(headers, settings.header), body, secret, {
				...timing,
				signatureKey: settings.signatureKey,
				algorithm: settings.algorithm,
			});
		case 'bodyHmac':
			return verifyBodyHmac(header(headers, settings.header), body, secret, settings);
		case 'sharedSecret':
			return verifySharedSecret(header(headers, settings.header), secret);
		case 'none':
			return { valid: true };
		default:
			return invalid('unsupported verification method');
	}
}
