import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

// express's Response, as n8n hands it to webhook nodes (express itself may not be imported).
type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Answers the sender directly (no execution starts); never includes a secret or an expected signature. */
export function answer(res: Response, status: number, body: IDataObject): { noWebhookResponse: true } {
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * Answers now, for a request n8n runs in streaming mode although this event expects no stream
 * (Layercode `data`, `session.update`, `session.end`): n8n's later stream writes are dropped.
 */
export function answerBeforeStreaming(res: Response, body: IDataObject): void {
	res.status(200).json(body);
	res.write = (() => true) as Response['write'];
	res.end = (() => res) as Response['end'];
}
