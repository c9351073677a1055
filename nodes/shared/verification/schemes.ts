import { header, standardWebhookHeaders, type IncomingHttpHeaders } from './headers';
import {
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

/** The generic trigger parameters a scheme uses; the editor shows them only with that scheme. */
export type SchemeParameter =
	| 'signatureHeader'
	| 'signatureKey'
	| 'signatureAlgorithm'
	| 'signatureEncoding'
	| 'signaturePrefix'
	| 'toleranceSeconds';

/** The values of those parameters for one trigger (defaults where a scheme does not use them). */
export interface VerificationSettings {
	/** Header carrying the signature (Stripe-style, plain HMAC, shared secret). */
	header: string;
	algorithm: HmacAlgorithm;
	encoding: SignatureEncoding;
	prefix: string;
	/** `v1` for Stripe, `v0` for ElevenLabs. */
	signatureKey: string;
	toleranceSeconds: number;
}

export interface SignedRequest {
	headers: IncomingHttpHeaders;
	/** The raw body exactly as received. */
	body: Buffer;
}

/**
 * One way a delivery proves it came from the platform: an entry of the trigger's Verification
 * dropdown. Generic ones are below; a platform with its own signature defines its scheme in its
 * own file with the primitives of signatures.ts.
 */
export interface VerificationScheme {
	/** Stored in the Verification parameter: never change it once shipped. */
	value: string;
	name: string;
	description?: string;
	/**
	 * Where the key is: the Webhook Secret credential, holding a Standard Webhooks secret
	 * (`whsec_` + base64) or text used as the HMAC key / compared; the JWT credential; or nowhere.
	 */
	key: 'standardWebhooksSecret' | 'textSecret' | 'jwt' | 'none';
	/** The generic parameters this scheme reads. */
	parameters?: SchemeParameter[];
	/** Timestamp Tolerance for a new trigger, when the platform's own window differs from 300 s. */
	defaultToleranceSeconds?: number;
	/** Checks one request; `secret` is the credential's, non-empty. Absent for `jwt` and `none`. */
	verify?(request: SignedRequest, secret: string, settings: VerificationSettings): Verification;
	/** The delivery id the scheme carries (Standard Webhooks' `webhook-id`), for de-duplication. */
	deliveryId?(headers: IncomingHttpHeaders): string | null;
}

/** Timestamp Tolerance for a new trigger: five minutes, as Svix, Stripe and Retell. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The secret-holding schemes whose signing time is checked, so Timestamp Tolerance applies. */
export const isTimed = (scheme: VerificationScheme) => scheme.parameters?.includes('toleranceSeconds') ?? false;

export const standardWebhooks: VerificationScheme = {
	value: 'standardWebhooks',
	name: 'Standard Webhooks (Svix)',
	key: 'standardWebhooksSecret',
	parameters: ['toleranceSeconds'],
	verify: ({ headers, body }, secret, settings) =>
		verifyStandardWebhook({ ...standardWebhookHeaders(headers), body }, secret, settings),
	deliveryId: (headers) => standardWebhookHeaders(headers).id ?? null,
};

export const stripeStyle: VerificationScheme = {
	value: 'stripeStyle',
	name: 'Stripe-Style Signature',
	description: 'A t=…,v1=… header, as Stripe, Layercode and ElevenLabs (v0) sign',
	key: 'textSecret',
	parameters: ['signatureHeader', 'signatureKey', 'signatureAlgorithm', 'toleranceSeconds'],
	verify: ({ headers, body }, secret, settings) =>
		verifyTimestampedHmac(header(headers, settings.header), body, secret, settings),
};

export const bodyHmac: VerificationScheme = {
	value: 'bodyHmac',
	name: 'HMAC of the Body',
	key: 'textSecret',
	parameters: ['signatureHeader', 'signatureAlgorithm', 'signatureEncoding', 'signaturePrefix'],
	verify: ({ headers, body }, secret, settings) => verifyBodyHmac(header(headers, settings.header), body, secret, settings),
};

export const sharedSecret: VerificationScheme = {
	value: 'sharedSecret',
	name: 'Shared Secret Header',
	key: 'textSecret',
	parameters: ['signatureHeader'],
	verify: ({ headers }, secret, settings) => verifySharedSecret(header(headers, settings.header), secret),
};

export const bearerJwt: VerificationScheme = { value: 'jwt', name: 'Bearer JWT', key: 'jwt' };

export const noVerification: VerificationScheme = { value: 'none', name: 'None (Unsafe)', key: 'none' };

/**
 * Why the credential's signing secret cannot serve the scheme, for the editor at publish time
 * (never quoting the secret); undefined when it can, or the scheme takes none. Per request the
 * same check is made by the verifiers, which refuse with a short reason.
 */
export function secretProblem(scheme: Pick<VerificationScheme, 'key'>, secret: string): string | undefined {
	if (scheme.key === 'standardWebhooksSecret') {
		switch (signingSecretProblem(secret, 'standardWebhooks')) {
			case 'not_base64':
				return 'The Webhook Signing Secret is not a Standard Webhooks secret: expected whsec_ followed by base64. Copy the whole secret from the platform.';
			case 'too_short':
				return `The Webhook Signing Secret is too short: a Standard Webhooks secret must decode to at least ${MIN_SECRET_BYTES} bytes. Copy the whole whsec_… secret from the platform.`;
			default:
				return undefined;
		}
	}
	return scheme.key === 'textSecret' && signingSecretProblem(secret, 'text')
		? `The Webhook Signing Secret is too short: at least ${MIN_SECRET_BYTES} bytes are required. Use the secret the platform generated, or a random one of 32 characters or more.`
		: undefined;
}

