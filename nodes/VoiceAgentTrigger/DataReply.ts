import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { isTurnEvent } from '../shared/sse';
import { parseJson, type N8nChunk } from './TurnStream';

// express's Response, as n8n hands it to webhook nodes (express itself may not be imported).
type Response = ReturnType<IWebhookFunctions['getResponseObject']>;
type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/**
 * The reply to a Layercode `data` event when the workflow sent none: an empty object, so the
 * client still receives a `response.data` it can tell apart from any real answer.
 */
export const EMPTY_REPLY: IDataObject = {};

/**
 * The reply when a node failed after the last Send Data (or before any). Generic on purpose:
 * Layercode hands this body to the browser, so n8n's error text (which may quote an upstream
 * service's answer) stays in the execution log. Sent with 200, because Layercode documents
 * forwarding the webhook's JSON reply, not what it does with an error status.
 */
export const FAILED_REPLY: IDataObject = {
	error: 'workflow_failed',
	message: 'The workflow failed before it could answer',
};

export const JSON_REPLY_HEADERS: Record<string, string> = {
	'Content-Type': 'application/json; charset=utf-8',
	'Cache-Control': 'no-store',
};

/** What one chunk of n8n's stream does to the reply. */
export type ReplyStep = { reply: unknown } | { send: true } | undefined;

/**
 * Reads one n8n chunk for a `data` event. Only a Voice Agent node's chunk counts (n8n stamps the
 * sender's name in `metadata.nodeName`, which content cannot forge): Send Data's `response.data`
 * becomes the reply (the last one wins), End Turn's `response.end` sends it now. A node failure
 * makes the reply the generic error, which a later Send Data may still replace (a node set to
 * continue on error also sends n8n's `error` chunk). Text, speech and keepalives are no JSON
 * reply: dropped, so they can never corrupt the body.
 */
export function replyStepForChunk(chunk: N8nChunk, controlNodes: ReadonlySet<string>): ReplyStep {
	if (chunk.type === 'error') return { reply: FAILED_REPLY };
	if (chunk.type !== 'item' || typeof chunk.content !== 'string') return undefined;
	const sender = chunk.metadata?.nodeName;
	if (typeof sender !== 'string' || !controlNodes.has(sender)) return undefined;
	const event = parseJson(chunk.content);
	if (!isTurnEvent(event)) return undefined;
	if (event.type === 'response.data') return { reply: event.content ?? EMPTY_REPLY };
	if (event.type === 'response.end') return { send: true };
	return undefined;
}

/**
 * Turns the webhook's HTTP response into one plain JSON answer, for Layercode `data` events.
 * n8n runs the request in streaming mode and writes its chunk lines here while the workflow runs
 * (on this process even in queue mode); nothing reaches the caller until the reply is sent,
 * once: at End Turn, or when n8n ends the response (the workflow finished or failed). Later
 * writes are dropped. Everything lives on the response object, so requests never share state.
 */
export function openDataReply(res: Response, options: { controlNodes?: Iterable<string> } = {}): void {
	const end = res.end.bind(res) as (...args: unknown[]) => Response;
	const controlNodes = new Set(options.controlNodes ?? []);
	let reply: unknown = EMPTY_REPLY;
	let sent = false;
	let pending = '';

	const send = () => {
		if (sent) return;
		sent = true;
		pending = '';
		if (res.destroyed || res.writableEnded) return; // the client went away: nobody to answer
		res.writeHead(200, JSON_REPLY_HEADERS);
		end(JSON.stringify(reply));
	};
	const onLine = (line: string) => {
		if (sent || line.trim() === '') return;
		let chunk: N8nChunk;
		try {
			chunk = JSON.parse(line) as N8nChunk;
		} catch {
			return; // not n8n's framing
		}
		const step = replyStepForChunk(chunk, controlNodes);
		if (step && 'reply' in step) reply = step.reply;
		else if (step?.send) send();
	};

	res.write = ((chunk: unknown, ...rest: unknown[]) => {
		if (!sent) {
			pending += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
			let newline = pending.indexOf('\n');
			while (newline !== -1 && !sent) {
				onLine(pending.slice(0, newline));
				pending = pending.slice(newline + 1);
				newline = pending.indexOf('\n');
			}
		}
		const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
		callback?.();
		return true;
	}) as Write as Response['write'];

	res.end = ((...args: unknown[]) => {
		if (sent) return res;
		const last = args.find((arg) => typeof arg === 'string' || Buffer.isBuffer(arg));
		if (last !== undefined) res.write(last);
		onLine(pending); // a last line without its newline
		send();
		return res;
	}) as Response['end'];
}
