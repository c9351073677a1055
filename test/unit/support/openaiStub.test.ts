// The OpenAI-compatible stub the AI Agent end-to-end tests talk to: its tool calls must have the
// shape OpenAI sends, streamed and not, or n8n's OpenAI Chat Model would never call a tool.
import { createParser } from 'eventsource-parser';

import { lastMessageRole, startOpenAiStub, type OpenAiStub, type StubRequest } from '../../support/openai-stub';

interface ChunkToolCall {
	index: number;
	id?: string;
	type?: string;
	function?: { name?: string; arguments?: string };
}
interface Chunk {
	object: string;
	choices: Array<{ delta: { role?: string; content?: string | null; tool_calls?: ChunkToolCall[] }; finish_reason: string | null }>;
}

let stub: OpenAiStub;

beforeAll(async () => {
	stub = await startOpenAiStub({
		tokens: ['Hello', ' there'],
		delayMs: 1,
		// Words once a tool has answered, else a call to Speak: what the e2e test's model does.
		answer: (request) =>
			lastMessageRole(request) === 'tool'
				? { tokens: ['It', ' ships', ' Monday.'] }
				: { toolCalls: [{ name: 'Speak', arguments: { text: 'One moment, let me check' } }] },
	});
});

afterAll(async () => stub.stop());

async function complete(body: Record<string, unknown>): Promise<Response> {
	return fetch(`${stub.baseUrl}/chat/completions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'gpt-stub-1', ...body }),
	});
}

/** Every chunk of a streamed completion, parsed as an SSE client would. */
async function streamedChunks(body: Record<string, unknown>): Promise<{ chunks: Chunk[]; done: boolean }> {
	const response = await complete({ ...body, stream: true });
	expect(response.headers.get('content-type')).toBe('text/event-stream');
	const chunks: Chunk[] = [];
	let done = false;
	const parser = createParser({
		onEvent(event) {
			if (event.data === '[DONE]') done = true;
			else chunks.push(JSON.parse(event.data) as Chunk);
		},
	});
	parser.feed(await response.text());
	return { chunks, done };
}

/** Tool calls put back together from their deltas, the way OpenAI's SDK accumulates them. */
function assembleToolCalls(chunks: Chunk[]) {
	const calls: Array<{ id?: string; type?: string; name: string; arguments: string }> = [];
	for (const delta of chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta))) {
		for (const part of delta.tool_calls ?? []) {
			calls[part.index] ??= { name: '', arguments: '' };
			const call = calls[part.index];
			call.id ??= part.id;
			call.type ??= part.type;
			call.name += part.function?.name ?? '';
			call.arguments += part.function?.arguments ?? '';
		}
	}
	return calls;
}

const userTurn = { messages: [{ role: 'user', content: 'When does my order ship?' }] };
const afterTool = {
	messages: [
		{ role: 'user', content: 'When does my order ship?' },
		{ role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Speak', arguments: '{}' } }] },
		{ role: 'tool', tool_call_id: 'call_1', content: '[]' },
	],
};

test('a streamed tool call: id, type and name first, then the JSON arguments in fragments, finish_reason tool_calls', async () => {
	const { chunks, done } = await streamedChunks(userTurn);
	expect(done).toBe(true);
	const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
	expect(deltas[0]).toEqual({ role: 'assistant', content: null });
	const withCalls = deltas.filter((delta) => delta.tool_calls);
	expect(withCalls.length).toBeGreaterThan(2); // the start, then more than one fragment
	expect(withCalls[0].tool_calls?.[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'Speak', arguments: '' } });
	expect(withCalls.slice(1).every((delta) => delta.tool_calls?.[0].id === undefined)).toBe(true);
	const [call] = assembleToolCalls(chunks);
	expect(JSON.parse(call.arguments)).toEqual({ text: 'One moment, let me check' });
	expect(call.id).toMatch(/^call_stub_\d+_0$/);
	expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
	expect(deltas.some((delta) => typeof delta.content === 'string' && delta.content !== '')).toBe(false);
	const emission = stub.emissions.at(-1)!;
	expect(emission).toMatchObject({ streamed: true, toolCallIds: [call.id] });
});

test('a non-streamed tool call: message.tool_calls with the arguments as a JSON string, content null', async () => {
	const response = await complete(userTurn);
	const completion = (await response.json()) as {
		choices: Array<{ message: { content: unknown; tool_calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> }; finish_reason: string }>;
	};
	const [choice] = completion.choices;
	expect(choice.finish_reason).toBe('tool_calls');
	expect(choice.message.content).toBeNull();
	expect(choice.message.tool_calls).toHaveLength(1);
	expect(choice.message.tool_calls[0]).toMatchObject({ type: 'function', function: { name: 'Speak' } });
	expect(typeof choice.message.tool_calls[0].function.arguments).toBe('string');
	expect(JSON.parse(choice.message.tool_calls[0].function.arguments)).toEqual({ text: 'One moment, let me check' });
});

test('after the tool answered, the words stream token by token and finish with stop', async () => {
	const { chunks, done } = await streamedChunks({ ...afterTool, stream_options: { include_usage: true } });
	expect(done).toBe(true);
	const words = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('');
	expect(words).toBe('It ships Monday.');
	expect(assembleToolCalls(chunks)).toEqual([]);
	const finishes = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean);
	expect(finishes).toEqual(['stop']);
	expect(chunks.at(-1)?.choices).toEqual([]); // the usage chunk
});

test('without an answer function the stub still answers its tokens (the plain AI Agent test)', async () => {
	const plain = await startOpenAiStub({ tokens: ['A', 'B'], delayMs: 1 });
	try {
		const response = await fetch(`${plain.baseUrl}/chat/completions`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(userTurn),
		});
		const completion = (await response.json()) as { choices: Array<{ message: { content: string }; finish_reason: string }> };
		expect(completion.choices[0]).toMatchObject({ message: { content: 'AB' }, finish_reason: 'stop' });
		expect(plain.emissions[0]).toMatchObject({ answer: { tokens: ['A', 'B'] }, toolCallIds: [] });
	} finally {
		await plain.stop();
	}
});

describe('lastMessageRole', () => {
	const request = (body: unknown) => ({ method: 'POST', path: '/v1/chat/completions', headers: {}, body, at: 0 }) as StubRequest;

	test.each([
		['a tool result last', afterTool, 'tool'],
		['a user message last', userTurn, 'user'],
		['no body (not JSON)', undefined, undefined],
		['messages not a list', { messages: 'hi' }, undefined],
		['an empty list', { messages: [] }, undefined],
		['a null message', { messages: [null] }, undefined],
		['a message without a role', { messages: [{ content: 'hi' }] }, undefined],
	])('%s', (_name, body, role) => {
		expect(lastMessageRole(request(body))).toBe(role);
	});
});
