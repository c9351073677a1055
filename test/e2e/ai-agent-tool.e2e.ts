// The Voice Agent node as a tool of n8n's AI Agent (`usableAsTool`): n8n generates its tool
// variant, `<package>.voiceAgentTool`, which connects to the agent's ai_tool input. A Layercode
// `message` turn reaches the agent; the model (the local OpenAI-compatible stub) first calls the
// Speak tool with "One moment, let me check" as its `$fromAI` text, then, once the tool's result
// is back, streams its answer. The caller must hear the tool's words first, while the model has
// not yet produced a word of its answer, then the answer, then exactly one `response.end`.
// A second workflow turns the agent's streaming off (the model then answers without `stream`,
// tool call included) and says the agent's output with a Speak node after it.
//
// Why it works (read from n8n 2.41.1's and 1.123.81's source): the AI Agent (v2.1+, streaming)
// returns the model's tool calls to the workflow engine as an "engine request"; the engine runs
// the tool node's own execute() inside the same execution (workflow-execute.js runNode, the node
// rewired to ai_tool), so sendChunk reaches the trigger's stream stamped with the tool node's
// name, which the trigger accepts as a turn event (voiceAgentNodeNames: tools of an agent
// downstream of it). Then the agent runs again with the tool's result and streams the answer.
import { printLogOnFailure, startN8n, type N8n } from './harness';
import { secretCredential, node, triggerNode, triggerPath, VOICE_AGENT_TYPE, type NodeJson } from './workflows';
import { agentNode, openAiCredential, userText, withChatModel } from './ai-agent-workflow';
import { signLayercode } from '../support/sign';
import { readTurn } from '../support/sse';
import { lastMessageRole, startOpenAiStub, type OpenAiStub } from '../support/openai-stub';

const SECRET = 'layercode-webhook-secret-for-tests';
/** n8n names a node's tool variant `<type>Tool` (n8n's createAiTools / convertNodeToAiTool). */
const VOICE_AGENT_TOOL_TYPE = `${VOICE_AGENT_TYPE}Tool`;
const TOOL_NODE = 'Speak to caller';
/** What the model calls the tool: n8n's nodeNameToToolName (anything but [a-zA-Z0-9_-] → `_`). */
const TOOL_NAME = 'Speak_to_caller';
const HOLD_ON = 'One moment, let me check';
const ANSWER = ['Your', ' order', ' ships', ' on', ' Monday', '.'];

/** Speak, its text written by the model: `$fromAI(key, description, type)` as in n8n's editor. */
const speakTool = {
	...node(
		TOOL_NODE,
		VOICE_AGENT_TOOL_TYPE,
		{
			descriptionType: 'manual',
			toolDescription:
				'Say a short sentence to the caller right away, before you look something up, e.g. "One moment, let me check".',
			resource: 'turn',
			operation: 'speak',
			text: "={{ $fromAI('text', 'The sentence to say to the caller now', 'string') }}",
		},
		1,
	),
	position: [420, 220] as [number, number],
};

/** Trigger → AI Agent (+ chat model), with Speak on the agent's ai_tool input; then `after`, if any. */
function toolWorkflow(id: string, name: string, streaming: boolean, after: NodeJson[] = []) {
	const workflow = withChatModel(id, [
		triggerNode(name, { platform: 'layercode', triggerOptions: {} }),
		agentNode('={{ $json.text }}', streaming),
		...after,
	]);
	workflow.nodes.push({ ...speakTool });
	workflow.connections[TOOL_NODE] = { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] };
	return workflow;
}

const WORKFLOWS = {
	// The agent streams its answer: each token is a frame.
	streaming: toolWorkflow('wfAiAgentTool01', 'ai-agent-tool', true),
	// The agent does not stream (so the model is asked without `stream`); a Speak node says its output.
	whole: toolWorkflow('wfAiAgentTool02', 'ai-agent-tool-whole', false, [
		node('Say answer', VOICE_AGENT_TYPE, { resource: 'turn', operation: 'speak', text: '={{ $json.output }}' }),
	]),
};

let stub: OpenAiStub;
let n8n: N8n;

beforeAll(async () => {
	stub = await startOpenAiStub({
		tokens: ANSWER,
		delayMs: 150,
		// The model's two steps: first the tool call, then (its result is the last message) the answer.
		answer: (request) =>
			lastMessageRole(request) === 'tool'
				? { tokens: ANSWER }
				: { toolCalls: [{ name: TOOL_NAME, arguments: { text: HOLD_ON } }] },
	});
	n8n = await startN8n({ workflows: Object.values(WORKFLOWS), credentials: [secretCredential(SECRET), openAiCredential(stub.baseUrl)] });
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await stub?.stop();
});

const completionRequests = () => stub.requests.filter((request) => request.path === '/v1/chat/completions');

/** A signed Layercode `message` turn. */
function messageTurn(turnId: string, text: string) {
	const body = JSON.stringify({ type: 'message', session_id: 'sess_tool', conversation_id: 'conv_tool', turn_id: turnId, text });
	return { body, headers: signLayercode(body, SECRET) };
}

/** The only execution the turn started: successful, with Speak run once inside it, as a tool, with the model's text. */
async function expectOneExecution(workflowId: string, before: number) {
	const executions = await n8n.waitForExecutions(workflowId, before + 1);
	expect(executions).toHaveLength(before + 1);
	const detail = await n8n.executionData(executions[0].id);
	expect(detail.status).toBe('success');
	const toolRuns = detail.data.resultData.runData[TOOL_NODE] ?? [];
	expect(toolRuns).toHaveLength(1);
	const toolOutput = toolRuns[0].data?.ai_tool?.[0]?.[0]?.json;
	expect(toolOutput?.turnEvents).toEqual([expect.objectContaining({ type: 'response.tts', content: HOLD_ON })]);
	return detail;
}

test('the AI Agent calls Speak as a tool: its "One moment…" is heard before the answer, then one response.end', () =>
	printLogOnFailure(n8n, async () => {
		const turnId = `turn_${process.pid}_tool`;
		const text = 'When does my order ship?';
		const { body, headers } = messageTurn(turnId, text);
		const executionsBefore = (await n8n.executions(WORKFLOWS.streaming.id)).length;
		const requestsBefore = completionRequests().length;
		const emissionsBefore = stub.emissions.length;

		const sentAt = performance.now();
		const answer = await readTurn(n8n.webhookUrl(triggerPath('ai-agent-tool')), body, headers);

		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
		expect(answer.garbage).toEqual([]);
		console.log(
			`frames (ms since request): ${answer.frames.map((frame) => `${frame.at} ${JSON.stringify(frame.data)}`).join('\n')}`,
		);

		// The tool's words, then the answer's tokens one frame each, then exactly one response.end, last.
		expect(answer.frames.map((frame) => frame.data)).toEqual([
			{ type: 'response.tts', content: HOLD_ON, turn_id: turnId },
			...ANSWER.map((token) => ({ type: 'response.tts', content: token, turn_id: turnId })),
			{ type: 'response.end', turn_id: turnId },
		]);
		expect(answer.frames.filter((frame) => frame.data.type === 'response.end')).toHaveLength(1);
		for (const frame of answer.frames) expect(frame.data.turn_id).toBe(turnId);

		// The model was asked twice, streaming: the caller's words, then the same plus the tool's result.
		const requests = completionRequests().slice(requestsBefore);
		expect(requests).toHaveLength(2);
		for (const request of requests) expect(request.body?.stream).toBe(true);
		expect(userText(requests[0])).toBe(text);
		const offered = (requests[0].body?.tools ?? []) as Array<{ function?: { name?: string; parameters?: unknown } }>;
		expect(offered.map((tool) => tool.function?.name)).toEqual([TOOL_NAME]);
		console.log(`the tool as n8n offered it to the model: ${JSON.stringify(offered[0])}`);
		const [toolCall, final] = stub.emissions.slice(emissionsBefore);
		expect(toolCall.answer).toEqual({ toolCalls: [{ name: TOOL_NAME, arguments: { text: HOLD_ON } }] });
		const messages = (requests[1].body?.messages ?? []) as Array<{ role: string; tool_call_id?: string; content?: unknown }>;
		const toolResult = messages.at(-1);
		expect(toolResult).toMatchObject({ role: 'tool', tool_call_id: toolCall.toolCallIds[0] });
		console.log(`what the tool returned to the model: ${String(toolResult?.content).slice(0, 600)}`);
		expect(stub.unexpected).toEqual([]);

		// The ordering, on one clock (the stub runs in this process): the caller had the tool's words
		// before the model even started its answer, and before its first word was generated.
		const holdOnAt = sentAt + answer.frames[0].at;
		console.log(
			`tool frame at ${answer.frames[0].at} ms; second model request at ${(requests[1].at - sentAt).toFixed(1)} ms; ` +
				`first answer token emitted at ${(final.tokenTimes[0] - sentAt).toFixed(1)} ms, arrived at ${answer.frames[1].at} ms`,
		);
		expect(holdOnAt).toBeLessThan(final.tokenTimes[0]);
		expect(answer.frames[0].at).toBeLessThan(answer.frames[1].at);

		await expectOneExecution(WORKFLOWS.streaming.id, executionsBefore);
	}), 120_000);

test('with streaming off, the tool still speaks at once (the model asked without stream); a Speak node says the answer after it', () =>
	printLogOnFailure(n8n, async () => {
		const turnId = `turn_${process.pid}_tool_whole`;
		const text = 'Where is my parcel?';
		const { body, headers } = messageTurn(turnId, text);
		const executionsBefore = (await n8n.executions(WORKFLOWS.whole.id)).length;
		const requestsBefore = completionRequests().length;
		const emissionsBefore = stub.emissions.length;

		const sentAt = performance.now();
		const answer = await readTurn(n8n.webhookUrl(triggerPath('ai-agent-tool-whole')), body, headers);

		expect(answer.status).toBe(200);
		expect(answer.garbage).toEqual([]);
		expect(answer.frames.map((frame) => frame.data)).toEqual([
			{ type: 'response.tts', content: HOLD_ON, turn_id: turnId },
			{ type: 'response.tts', content: ANSWER.join(''), turn_id: turnId },
			{ type: 'response.end', turn_id: turnId },
		]);
		// The non-streamed tool call (message.tool_calls) went through n8n's OpenAI Chat Model too.
		const requests = completionRequests().slice(requestsBefore);
		expect(requests).toHaveLength(2);
		for (const request of requests) expect(request.body?.stream).not.toBe(true);
		const [toolCall] = stub.emissions.slice(emissionsBefore);
		expect(toolCall).toMatchObject({ streamed: false, answer: { toolCalls: [{ name: TOOL_NAME }] } });
		expect((requests[1].body?.messages as Array<{ role: string; tool_call_id?: string }>).at(-1)).toMatchObject({
			role: 'tool',
			tool_call_id: toolCall.toolCallIds[0],
		});
		console.log(
			`streaming off: tool frame at ${answer.frames[0].at} ms, second model request at ${(requests[1].at - sentAt).toFixed(1)} ms, ` +
				`answer frame at ${answer.frames[1].at} ms`,
		);
		await expectOneExecution(WORKFLOWS.whole.id, executionsBefore);
	}), 120_000);
