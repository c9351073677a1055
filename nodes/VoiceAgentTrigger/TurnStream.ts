import { NodeConnectionTypes, type IWebhookFunctions } from 'n8n-workflow';

// express's Response, as n8n hands it to webhook nodes (express itself may not be imported).
type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

import { isTurnEvent, SSE_HEADERS, sseFrame, type TurnEvent } from '../shared/sse';

/** A line n8n writes to a streaming webhook response (`sendChunk`, keepalives). */
export interface N8nChunk {
	type?: string;
	content?: unknown;
	/** Set by n8n from the node that called sendChunk, never from what it sent. */
	metadata?: { nodeName?: unknown };
}

export interface TurnStreamOptions {
	turnId: string | null;
	/** Spoken before `response.error` when a node fails, so the caller is not left in silence. */
	apology?: string;
	/**
	 * The nodes whose chunks may carry turn events (`voiceAgentNodeNames`); every other chunk is
	 * spoken. Absent: none may, so nothing a workflow streams can steer the turn.
	 */
	controlNodes?: Iterable<string>;
}

/**
 * What the bridge holds for a caller that has stopped reading. n8n ignores write()'s answer
 * (its sendChunk hook writes and moves on), so past this the turn is given up, not slowed down.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;
type WorkflowGraph = Pick<IWebhookFunctions, 'getNode' | 'getChildNodes' | 'getParentNodes'>;

/**
 * The Voice Agent nodes (this package's, enabled) that may steer this trigger's turns: those
 * downstream of it, and those an agent downstream of it uses as tools. Why names: n8n stamps
 * every chunk with the name of the node that sent it (`metadata.nodeName`, unique in a
 * workflow); a model's output only reaches `content`, so it cannot pass for one of these. The
 * list is computed per request in the process holding the response, which is also where queue
 * mode relays the worker's chunks: nothing is kept in module memory.
 */
export function voiceAgentNodeNames(context: WorkflowGraph): string[] {
	const trigger = context.getNode();
	// "<package>.voiceAgentTrigger" → our node types, whatever name the package was installed under.
	const prefix = trigger.type.slice(0, trigger.type.lastIndexOf('.') + 1);
	const ours = new Set([`${prefix}voiceAgent`, `${prefix}voiceAgentTool`]);
	const downstream = context.getChildNodes(trigger.name);
	const tools = downstream.flatMap((node) =>
		context.getParentNodes(node.name, { connectionType: NodeConnectionTypes.AiTool }),
	);
	const names = [...downstream, ...tools].filter((node) => !node.disabled && ours.has(node.type)).map((node) => node.name);
	return [...new Set(names)];
}

/** What a chunk of n8n's stream becomes on the turn's SSE stream. */
export function turnEventsForChunk(
	chunk: N8nChunk,
	apology?: string,
	controlNodes: ReadonlySet<string> = new Set(),
): TurnEvent[] | 'keepalive' {
	switch (chunk.type) {
		case 'item': {
			const content = typeof chunk.content === 'string' ? chunk.content : '';
			const sender = chunk.metadata?.nodeName;
			// Only a Voice Agent node's chunk is read as a turn event; any other text, even text
			// shaped like one (an LLM told to write {"type":"response.end"}), is spoken.
			if (typeof sender === 'string' && controlNodes.has(sender)) {
				const parsed = parseJson(content);
				if (isTurnEvent(parsed)) return [parsed];
			}
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

/** A chunk's content read as a JSON object, or undefined (text such as an LLM's words). */
export function parseJson(text: string): unknown {
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
	const controlNodes = new Set(options.controlNodes ?? []);
	let pending = '';
	let ended = false;
	// Backpressure: once the socket's buffer is full, frames wait here until 'drain'.
	let queue: string[] = [];
	let queuedBytes = 0;
	let blocked = false;

	const gone = () => res.destroyed || res.writableEnded;
	const writeNow = (text: string): boolean => {
		const accepted = write(text);
		(res as Response & { flush?: () => void }).flush?.();
		return accepted !== false;
	};
	const forget = () => {
		queue = [];
		queuedBytes = 0;
		blocked = false;
	};
	const flushQueue = () => {
		blocked = false;
		while (queue.length > 0 && !blocked) {
			if (gone()) return forget();
			const text = queue.shift() as string;
			queuedBytes -= Buffer.byteLength(text);
			if (!writeNow(text)) waitForDrain();
		}
	};
	const waitForDrain = () => {
		blocked = true;
		res.once('drain', flushQueue);
	};
	// The caller stopped reading: what it has not taken is dropped and the turn ends with an
	// error it still gets if it reads again; nothing more is held for it.
	const giveUp = () => {
		forget();
		ended = true;
		writeNow(sseFrame({ type: 'response.error', error: 'The caller is not reading the stream' }, options.turnId));
		writeNow(sseFrame({ type: 'response.end' }, options.turnId));
		end();
	};
	const send = (text: string) => {
		if (gone()) return; // the caller hung up or interrupted: drop quietly
		if (!blocked) {
			if (!writeNow(text)) waitForDrain();
			return;
		}
		const bytes = Buffer.byteLength(text);
		if (queuedBytes + bytes > MAX_BUFFERED_BYTES) return giveUp();
		queue.push(text);
		queuedBytes += bytes;
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
		const events = turnEventsForChunk(chunk, options.apology, controlNodes);
		if (events === 'keepalive') return ended || blocked ? undefined : send(': keepalive\n\n');
		events.forEach(emit);
	};

	res.once('close', forget); // a hung-up caller's queue is freed at once

	res.write = ((chunk: unknown, ...rest: unknown[]) => {
		if (!gone()) {
			pending += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
			let newline = pending.indexOf('\n');
			while (newline !== -1) {
				onLine(pending.slice(0, newline));
				pending = pending.slice(newline + 1);
				newline = pending.indexOf('\n');
			}
		}
		const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
		callback?.();
		// Backpressure passed on, for a writer that listens ('drain' comes from this response).
		return !blocked;
	}) as Response['write'];

	res.end = ((...args: unknown[]) => {
		if (gone()) return res;
		const last = args.find((arg) => typeof arg === 'string' || Buffer.isBuffer(arg));
		if (last !== undefined) res.write(last);
		if (pending.trim() !== '') onLine(pending); // a last line without its newline
		pending = '';
		if (gone()) return res; // given up above
		// The platform waits for response.end: it is sent exactly once, whoever ends the stream.
		// The workflow is done, so what waits for 'drain' cannot grow any more: it goes to the
		// socket's buffer whole, with the end after it (no cap here, which could turn a finished
		// turn into an error), and Node sends it before closing.
		if (!ended) queue.push(sseFrame({ type: 'response.end' }, options.turnId));
		ended = true;
		for (const text of queue) writeNow(text);
		forget();
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
