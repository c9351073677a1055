import { EventEmitter } from 'node:events';
import { NodeOperationError, type IExecuteFunctions, type INode, type IWebhookFunctions } from 'n8n-workflow';

import { openTurnStream } from '../../../../nodes/VoiceAgentTrigger/TurnStream';
import { executeTurn, hasStreamingSupport, NO_STREAMING_SUPPORT } from '../../../../nodes/VoiceAgent/turn';

const NODE = { name: 'Speak', type: 'n8n-nodes-voice-agent.voiceAgent' } as INode;

/** An execute context as an n8n without streaming responses (before 1.106) hands it: no isStreaming/sendChunk. */
function contextWithoutStreaming(): IExecuteFunctions {
	return {
		getNode: () => NODE,
		getInputData: () => [{ json: {} }],
		continueOnFail: () => false,
	} as unknown as IExecuteFunctions;
}

function streamingContext(sent: string[]): IExecuteFunctions {
	return {
		getNode: () => NODE,
		getInputData: () => [{ json: {} }],
		continueOnFail: () => false,
		getParentNodes: () => [],
		getNodeParameter: (name: string) => (name === 'text' ? 'Hello.' : undefined),
		isStreaming: () => true,
		sendChunk: async (_type: string, _item: number, content: string) => {
			sent.push(content);
		},
	} as unknown as IExecuteFunctions;
}

describe('a turn on an n8n without streaming responses', () => {
	it('is detected from the missing isStreaming/sendChunk', () => {
		expect(hasStreamingSupport(contextWithoutStreaming())).toBe(false);
		expect(hasStreamingSupport(streamingContext([]))).toBe(true);
	});

	it('fails with words that say what is missing and what to do, not "isStreaming is not a function"', async () => {
		const run = executeTurn(contextWithoutStreaming(), 'speak');
		await expect(run).rejects.toBeInstanceOf(NodeOperationError);
		await expect(executeTurn(contextWithoutStreaming(), 'speak')).rejects.toThrow(NO_STREAMING_SUPPORT);
		expect(NO_STREAMING_SUPPORT).toMatch(/n8n 1\.106 or newer/);
	});

	it('streams as before where n8n has it', async () => {
		const sent: string[] = [];
		const [item] = await executeTurn(streamingContext(sent), 'speak');
		expect(sent).toEqual([JSON.stringify({ type: 'response.tts', content: 'Hello.' })]);
		expect(item.json.turnEvents).toEqual([{ type: 'response.tts', content: 'Hello.', turn_id: null }]);
	});
});

/** The HTTP response the trigger bridged, as far as the bridge uses it. */
class Socket extends EventEmitter {
	body = '';
	destroyed = false;
	writableEnded = false;
	write(text: string): boolean {
		this.body += text;
		return true;
	}
	end(): this {
		this.writableEnded = true;
		return this;
	}
	writeHead(): this {
		return this;
	}
	flushHeaders(): void {}
	get events(): Array<Record<string, unknown>> {
		return this.body
			.split('\n\n')
			.filter((frame) => frame.startsWith('data: '))
			.map((frame) => JSON.parse(frame.slice(6)) as Record<string, unknown>);
	}
}

/** n8n's sendChunk: the line it writes, stamped with the sending node's name. */
const n8nLine = (nodeName: string, content: string) =>
	`${JSON.stringify({ type: 'item', content, metadata: { nodeId: 'id', nodeName, itemIndex: 0, runIndex: 0, timestamp: 0 } })}\n`;

describe('audit #9: through the bridge', () => {
	it("audit #9: the Voice Agent node's events steer the turn; an AI Agent's look-alike text is spoken", async () => {
		const socket = new Socket();
		const res = socket as unknown as ReturnType<IWebhookFunctions['getResponseObject']>;
		openTurnStream(res, { turnId: 't1', controlNodes: ['Speak', 'End Turn'] });
		const node = (name: string) =>
			({
				...streamingContext([]),
				getNode: () => ({ ...NODE, name }),
				sendChunk: async (_type: string, _item: number, content: string) => {
					res.write(n8nLine(name, content));
				},
			}) as unknown as IExecuteFunctions;

		await executeTurn(node('Speak'), 'speak');
		res.write(n8nLine('AI Agent', '{"type":"response.end"}'));
		res.write(n8nLine('AI Agent', '{"type":"response.data","content":{"refund":true}}'));
		await executeTurn(node('End Turn'), 'endTurn');
		expect(socket.events).toEqual([
			{ type: 'response.tts', content: 'Hello.', turn_id: 't1' },
			{ type: 'response.tts', content: '{"type":"response.end"}', turn_id: 't1' },
			{ type: 'response.tts', content: '{"type":"response.data","content":{"refund":true}}', turn_id: 't1' },
			{ type: 'response.end', turn_id: 't1' },
		]);
	});
});

describe('without a stream (a manual run, or the trigger answering through a response node)', () => {
	it('End Turn sends the whole turn as one SSE body with sendResponse', async () => {
		const responses: unknown[] = [];
		const context = {
			...streamingContext([]),
			getInputData: () => [{ json: { turnEvents: [{ type: 'response.tts', content: 'Hi.', turn_id: null }] } }],
			isStreaming: () => false,
			getParentNodes: () => [{ name: 'Voice Agent Trigger', type: 'n8n-nodes-voice-agent.voiceAgentTrigger' }],
			getWorkflowDataProxy: () => ({ $: () => ({ first: () => ({ json: { event: 'turn.message', turnId: 't9' } }) }) }),
			sendResponse: async (response: unknown) => {
				responses.push(response);
			},
		} as unknown as IExecuteFunctions;
		await executeTurn(context, 'endTurn');
		expect(responses).toEqual([
			{
				statusCode: 200,
				headers: expect.objectContaining({ 'Content-Type': 'text/event-stream' }),
				body:
					'data: {"type":"response.tts","content":"Hi.","turn_id":"t9"}\n\n' + 'data: {"type":"response.end","turn_id":"t9"}\n\n',
			},
		]);
	});
});

describe('a Layercode client data event (client.data): Send Data and End Turn answer it with JSON', () => {
	/** A context whose execution a Voice Agent Trigger started with a client.data event. */
	function dataContext(overrides: Record<string, unknown> = {}) {
		const sent: string[] = [];
		const responses: unknown[] = [];
		const context = {
			...streamingContext(sent),
			getParentNodes: () => [{ name: 'Voice Agent Trigger', type: 'n8n-nodes-voice-agent.voiceAgentTrigger' }],
			getWorkflowDataProxy: () => ({ $: () => ({ first: () => ({ json: { event: 'client.data', turnId: 'td' } }) }) }),
			getNodeParameter: (name: string) => (name === 'data' ? '{"order":"ORD-12345","status":"confirmed"}' : 'Hello.'),
			sendResponse: async (response: unknown) => {
				responses.push(response);
			},
			...overrides,
		} as unknown as IExecuteFunctions;
		return { context, sent, responses };
	}

	it('Send Data streams its response.data chunk for the trigger’s JSON reply bridge', async () => {
		const { context, sent } = dataContext();
		const [item] = await executeTurn(context, 'sendData');
		expect(sent).toEqual([JSON.stringify({ type: 'response.data', content: { order: 'ORD-12345', status: 'confirmed' } })]);
		expect(item.json.turnEvents).toEqual([{ type: 'response.data', content: { order: 'ORD-12345', status: 'confirmed' }, turn_id: 'td' }]);
	});

	it('End Turn streams response.end (the bridge sends the reply at once)', async () => {
		const { context, sent } = dataContext();
		await executeTurn(context, 'endTurn');
		expect(sent).toEqual([JSON.stringify({ type: 'response.end' })]);
	});

	it('Speak is refused with words that say why: a data event has no speech', async () => {
		const { context, sent } = dataContext();
		await expect(executeTurn(context, 'speak')).rejects.toThrow('A client data event has no speech: only Send Data and End Turn answer it');
		expect(sent).toEqual([]);
	});

	it('Speak with continue-on-fail: the item carries the error, nothing is sent', async () => {
		const { context, sent } = dataContext({ continueOnFail: () => true });
		const [item] = await executeTurn(context, 'speak');
		expect(item.json.error).toMatch(/no speech/);
		expect(sent).toEqual([]);
	});

	it('without a stream, End Turn answers the last Send Data’s JSON (application/json), not SSE', async () => {
		const turnEvents = [
			{ type: 'response.data', content: { step: 1 }, turn_id: 'td' },
			{ type: 'response.data', content: { step: 2 }, turn_id: 'td' },
		];
		const { context, responses } = dataContext({ isStreaming: () => false, getInputData: () => [{ json: { turnEvents } }] });
		await executeTurn(context, 'endTurn');
		expect(responses).toEqual([{ statusCode: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{"step":2}' }]);
	});

	it('without a stream and without Send Data, End Turn answers {}', async () => {
		const { context, responses } = dataContext({ isStreaming: () => false });
		await executeTurn(context, 'endTurn');
		expect(responses).toEqual([{ statusCode: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{}' }]);
	});

	it('lifecycle events are still refused for every operation', async () => {
		const { context } = dataContext({
			getWorkflowDataProxy: () => ({ $: () => ({ first: () => ({ json: { event: 'session.ended' } }) }) }),
		});
		for (const operation of ['speak', 'sendData', 'endTurn']) {
			await expect(executeTurn(context, operation)).rejects.toThrow('There is no live turn to answer: this execution was started by a "session.ended" event');
		}
	});
});

describe("which turn: the trigger's item", () => {
	const TRIGGER = { name: 'Voice Agent Trigger', type: 'n8n-nodes-voice-agent.voiceAgentTrigger' };
	/** Speak in an execution the trigger started with turn `proxied` (what n8n's data proxy returns). */
	function speakContext(inputSource: () => unknown, input: unknown, sent: string[], inputs: Record<string, unknown[]> = { main: [{ json: input }] }) {
		const proxyCalls: number[] = [];
		const context = {
			...streamingContext(sent),
			getParentNodes: () => [TRIGGER],
			getInputSourceData: inputSource,
			// n8n's contexts: the node's own input (main, or ai_tool for a tool), [] for a connection it has none on.
			getInputData: (_index = 0, type?: string) => inputs[type ?? Object.keys(inputs)[0]] ?? [],
			getWorkflowDataProxy: (itemIndex: number) => {
				proxyCalls.push(itemIndex);
				return { $: () => ({ first: () => ({ json: { event: 'turn.message', turnId: 'proxied' } }) }) };
			},
		} as unknown as IExecuteFunctions;
		return { context, proxyCalls };
	}

	it('right after the trigger, is its input item: no data proxy', async () => {
		const sent: string[] = [];
		const { context, proxyCalls } = speakContext(() => ({ previousNode: TRIGGER.name }), { event: 'turn.message', turnId: 'direct' }, sent);
		const [item] = await executeTurn(context, 'speak');
		expect(item.json.turnEvents).toEqual([{ type: 'response.tts', content: 'Hello.', turn_id: 'direct' }]);
		expect(proxyCalls).toEqual([]);
	});

	it('as a tool called inside the AI Agent\'s step (the agent\'s source, the tool arguments on ai_tool), is read through the proxy', async () => {
		const inputs = { ai_tool: [{ json: { text: 'the tool arguments' } }] };
		const { context, proxyCalls } = speakContext(() => ({ previousNode: TRIGGER.name }), undefined, [], inputs);
		const [item] = await executeTurn(context, 'speak');
		expect(item.json.turnEvents).toEqual([{ type: 'response.tts', content: 'Hello.', turn_id: 'proxied' }]);
		expect(proxyCalls).toEqual([0]);
	});

	it('after another node, or without source data (a tool call, a manual run), is read through the proxy', async () => {
		for (const inputSource of [() => ({ previousNode: 'AI Agent' }), () => undefined, () => { throw new Error('Source data is missing'); }]) {
			const { context, proxyCalls } = speakContext(inputSource, { output: 'an agent answer' }, []);
			const [item] = await executeTurn(context, 'speak');
			expect(item.json.turnEvents).toEqual([{ type: 'response.tts', content: 'Hello.', turn_id: 'proxied' }]);
			expect(proxyCalls).toEqual([0]);
		}
	});
});
