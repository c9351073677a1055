// A local OpenAI-compatible server for the end-to-end tests: n8n's OpenAI Chat Model node (via
// LangChain's ChatOpenAI and the `openai` SDK) talks to it instead of api.openai.com.
//
// `POST /v1/chat/completions` answers `stream: true` with OpenAI's SSE chunks, one token every
// `delayMs`, then `data: [DONE]`; without `stream` it answers one `chat.completion` object.
// `answer` picks, per request, either words or tool calls (`tool_calls`, streamed as OpenAI
// streams them: the call's id and name first, then its JSON arguments in fragments).
// `GET /v1/models` lists the one model. Anything else is answered 404 in OpenAI's error shape and
// recorded in `unexpected`, so a test can show what n8n asked for that the stub does not know.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	/** The parsed JSON body (undefined when there was none or it was not JSON). */
	body: Record<string, unknown> | undefined;
	/** When the request arrived (performance.now()). */
	at: number;
}

/** A function call the model asks for; `arguments` is sent as OpenAI does, as a JSON string. */
export interface StubToolCall {
	name: string;
	arguments: Record<string, unknown>;
}

/** What the stub answers one completion request with: words, or calls to the request's tools. */
export type StubAnswer = { tokens: string[] } | { toolCalls: StubToolCall[] };

export interface StubEmission {
	/** The chat completion's id. */
	id: string;
	streamed: boolean;
	/** What was answered. */
	answer: StubAnswer;
	/** The ids given to the tool calls, in order (`call_stub_<n>_<i>`); empty for words. */
	toolCallIds: string[];
	/** performance.now() when each token was written. */
	tokenTimes: number[];
}

export interface OpenAiStubOptions {
	/** The answer, as the tokens to stream (joined for a non-streaming answer). */
	tokens?: string[];
	/** Milliseconds between two streamed tokens (also before the first). */
	delayMs?: number;
	model?: string;
	/** Chooses the answer for each completion request (default: always `{ tokens }`). */
	answer?: (request: StubRequest) => StubAnswer;
}

export interface OpenAiStub {
	/** `http://127.0.0.1:<port>/v1`: the base URL an OpenAI client needs. */
	baseUrl: string;
	port: number;
	tokens: string[];
	/** tokens joined: the whole answer. */
	text: string;
	delayMs: number;
	/** Every request received, in order. */
	requests: StubRequest[];
	/** Requests to paths the stub does not implement. */
	unexpected: StubRequest[];
	/** One entry per completion answered. */
	emissions: StubEmission[];
	stop(): Promise<void>;
}

export const DEFAULT_TOKENS = ['Your', ' order', ' ships', ' on', ' Monday', '.'];

/** The role of the last message of a chat-completions request (`tool` after a tool ran). */
export function lastMessageRole(request: StubRequest): string | undefined {
	const messages = request.body?.messages;
	if (!Array.isArray(messages)) return undefined;
	const last: unknown = messages.at(-1);
	const role = last !== null && typeof last === 'object' ? (last as { role?: unknown }).role : undefined;
	return typeof role === 'string' ? role : undefined;
}

/** A JSON text cut in two (or one piece when short), as OpenAI streams a call's arguments. */
function argumentFragments(json: string): string[] {
	const middle = Math.ceil(json.length / 2);
	return json.length < 2 ? [json] : [json.slice(0, middle), json.slice(middle)];
}

export async function startOpenAiStub(options: OpenAiStubOptions = {}): Promise<OpenAiStub> {
	const tokens = options.tokens ?? DEFAULT_TOKENS;
	const delayMs = options.delayMs ?? 150;
	const model = options.model ?? 'gpt-stub-1';
	const requests: StubRequest[] = [];
	const unexpected: StubRequest[] = [];
	const emissions: StubEmission[] = [];
	let completions = 0;

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const raw = await readBody(req);
		let body: Record<string, unknown> | undefined;
		try {
			body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
		} catch {
			body = undefined;
		}
		const path = (req.url ?? '/').split('?')[0];
		const request: StubRequest = { method: req.method ?? '', path, headers: req.headers, body, at: performance.now() };
		requests.push(request);

		if (req.method === 'POST' && path === '/v1/chat/completions') {
			const number = ++completions;
			const id = `chatcmpl-stub-${number}`;
			const created = Math.floor(Date.now() / 1000);
			const answer = options.answer?.(request) ?? { tokens };
			const toolCalls = 'toolCalls' in answer ? answer.toolCalls : [];
			const words = 'tokens' in answer ? answer.tokens : [];
			const emission: StubEmission = {
				id,
				streamed: body?.stream === true,
				answer,
				toolCallIds: toolCalls.map((_, index) => `call_stub_${number}_${index}`),
				tokenTimes: [],
			};
			emissions.push(emission);
			const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
			const completionTokens = words.length + toolCalls.length;
			const usage = { prompt_tokens: 10, completion_tokens: completionTokens, total_tokens: 10 + completionTokens };
			if (!emission.streamed) {
				emission.tokenTimes.push(performance.now());
				const message =
					toolCalls.length > 0
						? {
								role: 'assistant',
								content: null,
								refusal: null,
								tool_calls: toolCalls.map((call, index) => ({
									id: emission.toolCallIds[index],
									type: 'function',
									function: { name: call.name, arguments: JSON.stringify(call.arguments) },
								})),
							}
						: { role: 'assistant', content: words.join(''), refusal: null };
				return json(res, 200, {
					id,
					object: 'chat.completion',
					created,
					model,
					choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
					usage,
				});
			}
			res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
			res.flushHeaders();
			const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
				`data: ${JSON.stringify({
					id,
					object: 'chat.completion.chunk',
					created,
					model,
					choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
					...extra,
				})}\n\n`;
			res.write(chunk({ role: 'assistant', content: toolCalls.length > 0 ? null : '' }, null));
			for (const token of words) {
				await sleep(delayMs);
				if (res.destroyed) return;
				res.write(chunk({ content: token }, null));
				emission.tokenTimes.push(performance.now());
			}
			for (const [index, call] of toolCalls.entries()) {
				await sleep(delayMs);
				if (res.destroyed) return;
				// OpenAI's order: the call's id, type and name with empty arguments, then the arguments' text.
				const start = { index, id: emission.toolCallIds[index], type: 'function', function: { name: call.name, arguments: '' } };
				res.write(chunk({ tool_calls: [start] }, null));
				for (const fragment of argumentFragments(JSON.stringify(call.arguments))) {
					res.write(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }, null));
				}
				emission.tokenTimes.push(performance.now());
			}
			res.write(chunk({}, finishReason));
			const streamOptions = body?.stream_options as { include_usage?: boolean } | undefined;
			if (streamOptions?.include_usage) {
				res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
			}
			res.end('data: [DONE]\n\n');
			return;
		}

		if (req.method === 'GET' && path === '/v1/models') {
			return json(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'stub' }] });
		}

		unexpected.push(request);
		json(res, 404, { error: { message: `stub: no route for ${req.method} ${path}`, type: 'invalid_request_error', code: null } });
	};

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (!res.headersSent) json(res, 500, { error: { message: String(error), type: 'server_error' } });
			else res.destroy();
		});
	});
	await new Promise<void>((done, fail) => {
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => done());
	});
	const port = (server.address() as AddressInfo).port;

	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		port,
		tokens,
		text: tokens.join(''),
		delayMs,
		requests,
		unexpected,
		emissions,
		stop: () =>
			new Promise<void>((done) => {
				server.closeAllConnections();
				server.close(() => done());
			}),
	};
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((done, fail) => {
		const parts: Buffer[] = [];
		req.on('data', (part: Buffer) => parts.push(part));
		req.on('end', () => done(Buffer.concat(parts).toString('utf8')));
		req.on('error', fail);
	});
}

function json(res: ServerResponse, status: number, value: unknown): void {
	const text = JSON.stringify(value);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
	res.end(text);
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}
