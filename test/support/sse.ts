// Reads a turn's answer the way a voice platform does: a real SSE parser over the raw bytes,
// with the arrival time of every frame.
import { createParser } from 'eventsource-parser';

export interface ArrivedFrame {
	/** The frame's JSON (`{type, content?, turn_id, …}`). */
	data: Record<string, unknown>;
	/** Milliseconds since the request was sent. */
	at: number;
}

export interface TurnAnswer {
	status: number;
	headers: Headers;
	frames: ArrivedFrame[];
	/** Raw text of the body, for exact-format assertions. */
	text: string;
	/** Milliseconds from sending to the end of the body. */
	endedAt: number;
	/** Anything in the body that was not an SSE frame of JSON (comments excluded). */
	garbage: string[];
}

export interface ReadOptions {
	/** Hang up (abort) after this many milliseconds, like a caller interrupting. */
	hangUpAfterMs?: number;
	/** Hang up as soon as this many frames have arrived. */
	hangUpAfterFrames?: number;
	/** Called for every frame as it arrives. */
	onFrame?: (frame: ArrivedFrame) => void;
}

export async function readTurn(
	url: string,
	body: string,
	headers: Record<string, string>,
	options: ReadOptions = {},
): Promise<TurnAnswer> {
	const controller = new AbortController();
	const started = performance.now();
	const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
	const frames: ArrivedFrame[] = [];
	const garbage: string[] = [];
	let text = '';
	let timer: NodeJS.Timeout | undefined;
	if (options.hangUpAfterMs !== undefined) timer = setTimeout(() => controller.abort(), options.hangUpAfterMs);

	const parser = createParser({
		onEvent(event) {
			try {
				const frame = { data: JSON.parse(event.data) as Record<string, unknown>, at: elapsed() };
				frames.push(frame);
				options.onFrame?.(frame);
			} catch {
				garbage.push(event.data);
			}
			if (options.hangUpAfterFrames !== undefined && frames.length >= options.hangUpAfterFrames) controller.abort();
		},
	});

	const response = await fetch(url, {
		method: 'POST',
		// n8n compresses responses unless told otherwise; a platform may not ask for compression.
		headers: { 'content-type': 'application/json', 'accept-encoding': 'identity', ...headers },
		body,
		signal: controller.signal,
	});
	const decoder = new TextDecoder();
	try {
		for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
			const part = decoder.decode(chunk, { stream: true });
			text += part;
			parser.feed(part);
		}
	} catch (error) {
		if (!controller.signal.aborted) throw error;
	} finally {
		if (timer) clearTimeout(timer);
	}
	return { status: response.status, headers: response.headers, frames, text, endedAt: elapsed(), garbage };
}
