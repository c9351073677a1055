import type { IWebhookFunctions } from 'n8n-workflow';

// express's Response, as n8n hands it to webhook nodes (express itself may not be imported).
type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

import { isTurnEvent, SSE_HEADERS, sseFrame, type TurnEvent } from '../shared/sse';

/** A line n8n writes to a streaming webhook response (`sendChunk`, keepalives). */
interface N8nChunk {
	type?: string;
	content?: unknown;
}

export interface TurnStreamOptions {
	turnId: string | null;
	/** Spoken before `response.error` when a node fails, so the caller is not left in silence. */
	apology?: string;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/** What a chunk of n8n's stream becomes on the turn's SSE stream. */
export function turnEventsForChunk(chunk: N8nChunk, apology?: string): TurnEvent[] | 'keepalive' {
	switch (chunk.type) {
		case 'item': {
			const content = typeof chunk.content === 'string' ? chunk.content : '';
			const parsed = parseJson(content);
			// Our own node sends turn events as JSON; any other streaming node (AI Agent) sends words.
			if (isTurnEvent(parsed)) return [parsed];
			return content === '' ? [] : [{ type: 'response.tts', content }];
		}
		case 'error': {
			const message = typeof chunk.content === 'string' && chunk.content ? chunk.content : 'The workflow failed';
			const events: TurnEvent[] = apology ? [{ type: 'response.tts', content: apology }] : [];
			events.push({ type: 'response.error', error: message }, { type: 'response.end' });
			return events;
		}
		case 'keepalive':
			return 'keepalive';
		default:
			return []; // begin / end of a node's stream carry nothing to say
	}
}

function parseJson(text: string): unknown {
	if (!text.startsWith('{')) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * Turns the webhook's HTTP response into the turn's SSE stream. n8n keeps writing its own
 * chunk lines (`{"type":"item",…}\n`) to this response while the workflow runs, on this process
 * even in queue mode; each line is re-encoded here as SSE frames. Everything lives on the
 * response object, so concurrent turns never share state.
 */
export function openTurnStream(res: Response, options: TurnStreamOptions): void {
	const write = res.write.bind(res) as Write;
	const end = res.end.bind(res) as (...args: unknown[]) => Response;
	let pending = '';
	let ended = false;

	const gone = () => res.destroyed || res.writableEnded;
	const send = (text: string) => {
		if (gone()) return; // the caller hung up or interrupted: drop quietly
		write(text);
		(res as Response & { flush?: () => void }).flush?.();
	};
	const emit = (event: TurnEvent) => {
		if (ended) return;
		send(sseFrame(event, options.turnId));
		if (event.type === 'response.end') ended = true;
	};

	const onLine = (line: string) => {
		if (line.trim() === '') return;
		let chunk: N8nChunk;
		try {
			chunk = JSON.parse(line) as N8nChunk;
		} catch {
			return; // not n8n's framing: nothing the platform could read either
		}
		const events = turnEventsForChunk(chunk, options.apology);
		if (events === 'keepalive') return ended ? undefined : send(': keepalive\n\n');
		events.forEach(emit);
	};

	res.write = ((chunk: unknown, ...rest: unknown[]) => {
		pending += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
		let newline = pending.indexOf('\n');
		while (newline !== -1) {
			onLine(pending.slice(0, newline));
			pending = pending.slice(newline + 1);
			newline = pending.indexOf('\n');
		}
		const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
		callback?.();
		return true;
	}) as Response['write'];

	res.end = ((...args: unknown[]) => {
		if (gone()) return res;
		const last = args.find((arg) => typeof arg === 'string' || Buffer.isBuffer(arg));
		if (last !== undefined) res.write(last);
		if (pending.trim() !== '') onLine(pending); // a last line without its newline
		pending = '';
		// The platform waits for response.end: it is sent exactly once, whoever ends the stream.
		emit({ type: 'response.end' });
		return end();
	}) as Response['end'];

	res.writeHead(200, SSE_HEADERS);
	res.flushHeaders();
}

/** Answers a whole turn at once, without running the workflow (the static welcome message). */
export function sendWholeTurn(res: Response, turnId: string | null, events: TurnEvent[]): void {
	res.writeHead(200, SSE_HEADERS);
	res.end([...events, { type: 'response.end' } as TurnEvent].map((event) => sseFrame(event, turnId)).join(''));
}
