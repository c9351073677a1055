import type { IWebhookFunctions } from 'n8n-workflow';

/** Request headers as n8n hands them to webhook nodes (node:http itself may not be imported). */
export type IncomingHttpHeaders = ReturnType<IWebhookFunctions['getHeaderData']>;

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
