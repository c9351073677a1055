/** The `svix` package (1.x, CommonJS) as the reference implementation of Standard Webhooks / Svix. */
import { Webhook } from 'svix';

export interface SvixSignRequest {
	secret: string;
	id: string;
	/** Unix seconds. */
	timestamp: number;
	body: string;
}

export interface SvixVerifyRequest {
	secret: string;
	body: string;
	headers: Record<string, string>;
}

export type SvixVerdict = { ok: true } | { ok: false; error: string };

/** `new Webhook(secret).sign(id, date, body)` for each request: `v1,<base64>`. */
export function svixSign(requests: SvixSignRequest[]): string[] {
	return requests.map(({ secret, id, timestamp, body }) => new Webhook(secret).sign(id, new Date(timestamp * 1000), body));
}

/** `new Webhook(secret).verify(body, headers)` for each request (svix checks against the real clock). */
export function svixVerify(requests: SvixVerifyRequest[]): SvixVerdict[] {
	return requests.map(({ secret, body, headers }) => {
		try {
			new Webhook(secret).verify(body, headers);
			return { ok: true };
		} catch (error) {
			return { ok: false, error: String((error as Error).message) };
		}
	});
}
