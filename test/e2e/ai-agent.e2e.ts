// n8n's own AI Agent node, streaming on, after the Voice Agent Trigger (Layercode): the LLM's
// tokens reach the caller as `response.tts` frames while the model is still generating, then one
// `response.end`. The model is n8n's OpenAI Chat Model pointed at a local OpenAI-compatible stub
// that streams its tokens with a delay, so arrival times can be compared with emission times.
// A second workflow puts the same agent behind n8n's plain Webhook node in streaming mode and
// reads n8n's raw chunk lines: the exact input the trigger re-encodes.
import { printLogOnFailure, startN8n, targetN8nMajor, type N8n } from './harness';
import { chain, node, secretCredential, triggerNode, triggerPath, type NodeJson } from './workflows';
import { signLayercode } from '../support/sign';
import { readTurn } from '../support/sse';
import { startOpenAiStub, type OpenAiStub, type StubRequest } from '../support/openai-stub';

const SECRET = 'layercode-webhook-secret-for-tests';
const OPENAI_CREDENTIAL = { id: 'openAiStubCred01', name: 'OpenAI stub' };
const AGENT_TYPE = '@n8n/n8n-nodes-langchain.agent';
// The AI Agent's defaultVersion in n8n 2.41.1 is 3.1; n8n 1.123.81's newest is 3 (the same
// AgentV3 class, with its enableStreaming option: @n8n/n8n-nodes-langchain Agent.node.js).
const AGENT_VERSION = targetN8nMajor() < 2 ? 3 : 3.1;
const CHAT_MODEL_TYPE = '@n8n/n8n-nodes-langchain.lmChatOpenAi';
const CHAT_MODEL_VERSION = 1.3; // the OpenAI Chat Model's latest version in n8n 2.41.1 and 1.123.81
const STUB_MODEL = 'gpt-stub-1';
const RAW_PATH = 'agent-raw-chunks';

/** The AI Agent, prompt from the incoming item, streaming explicitly on (its default is true). */
const agentNode = (prompt: string): NodeJson =>
	node(
		'AI Agent',
		AGENT_TYPE,
		{
			promptType: 'define',
			text: prompt,
			options: { systemMessage: 'You are a voice agent. Answer in one short sentence.', enableStreaming: true },
		},
		AGENT_VERSION,
	);

/** The OpenAI Chat Model on Chat Completions (not the Responses API), credential → the stub. */
function chatModelNode(): NodeJson {
	return {
		...node(
			'OpenAI Chat Model',
			CHAT_MODEL_TYPE,
			{ model: { __rl: true, mode: 'id', value: STUB_MODEL }, responsesApiEnabled: false, options: {} },
			CHAT_MODEL_VERSION,
		),
		position: [220, 220],
		credentials: { openAiApi: OPENAI_CREDENTIAL },
	};
}

/** `nodes` run in order; the chat model hangs off the AI Agent's ai_languageModel input. */
function withChatModel(id: string, nodes: NodeJson[]) {
	const workflow = chain(id, nodes);
	workflow.nodes.push(chatModelNode());
	workflow.connections['OpenAI Chat Model'] = {
		ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
	};
	return workflow;
}

const openAiCredential = (baseUrl: string) => ({
	...OPENAI_CREDENTIAL,
	type: 'openAiApi',
	data: { apiKey: 'sk-stub-key', organizationId: '', url: baseUrl, header: false },
});

const WORKFLOWS = {
	layercode: withChatModel('wfAiAgentLc0001', [
		triggerNode('ai-agent', { platform: 'layercode', triggerOptions: {} }),
		agentNode('={{ $json.text }}'),
	]),
	raw: withChatModel('wfAiAgentRaw001', [
		{
			...node('Webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path: RAW_PATH, responseMode: 'streaming', options: {} }, 2.1),
			webhookId: 'wh-ai-agent-raw',
		},
		agentNode('={{ $json.body.text }}'),
	]),
};

let stub: OpenAiStub;
let n8n: N8n;
let turnCounter = 0;

beforeAll(async () => {
	// The stub's port goes into the credential, so it must listen before n8n imports anything.
	stub = await startOpenAiStub({ tokens: ['Your', ' order', ' ships', ' on', ' Monday', '.'], delayMs: 150, model: STUB_MODEL });
	n8n = await startN8n({
		workflows: Object.values(WORKFLOWS),
		credentials: [secretCredential(SECRET), openAiCredential(stub.baseUrl)],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await stub?.stop();
});

const guarded = (name: string, body: () => Promise<void>, timeout = 120_000) =>
	test(name, () => printLogOnFailure(n8n, body), timeout);

/** The text of the last user message of a chat-completions request (string or content parts). */
function userText(request: StubRequest | undefined): string | undefined {
	const messages = (request?.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
	const user = messages.filter((message) => message.role === 'user').at(-1);
	if (!user) return undefined;
	if (typeof user.content === 'string') return user.content;
	if (Array.isArray(user.content)) {
		return (user.content as Array<{ type?: string; text?: string }>)
			.filter((part) => part.type === 'text')
			.map((part) => part.text ?? '')
			.join('');
	}
	return undefined;
}

const completionRequests = () => stub.requests.filter((request) => request.path === '/v1/chat/completions');

guarded('AI Agent tokens arrive as response.tts frames while the model generates, then one response.end', async () => {
	const turnId = `turn_${process.pid}_${++turnCounter}`;
	const text = 'When does my order ship?';
	const body = JSON.stringify({ type: 'message', session_id: 'sess_ai', conversation_id: 'conv_ai', turn_id: turnId, text });
	const before = completionRequests().length;
	const emissionsBefore = stub.emissions.length;

	const sentAt = performance.now();
	const answer = await readTurn(n8n.webhookUrl(triggerPath('ai-agent')), body, signLayercode(body, SECRET));

	expect(answer.status).toBe(200);
	expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
	expect(answer.garbage).toEqual([]);

	// N response.tts whose contents are the model's words, then exactly one response.end.
	const tts = answer.frames.filter((frame) => frame.data.type === 'response.tts');
	expect(answer.frames.map((frame) => frame.data.type)).toEqual([...tts.map(() => 'response.tts'), 'response.end']);
	expect(tts.map((frame) => frame.data.content).join('')).toBe(stub.text);
	for (const frame of answer.frames) expect(frame.data.turn_id).toBe(turnId);
	expect(answer.frames.at(-1)?.data).toEqual({ type: 'response.end', turn_id: turnId });
	// One frame per generated token: nothing was merged or split on the way.
	expect(tts.map((frame) => frame.data.content)).toEqual(stub.tokens);

	// The stub was asked once, streaming, with the caller's words as the user message.
	const requests = completionRequests().slice(before);
	expect(requests).toHaveLength(1);
	expect(requests[0].body?.stream).toBe(true);
	expect(requests[0].body?.model).toBe(STUB_MODEL);
	expect(userText(requests[0])).toBe(text);
	expect(stub.unexpected).toEqual([]);
	console.log(`what n8n's OpenAI Chat Model sent the stub: ${JSON.stringify(requests[0].body)}`);

	// Incremental: the frames are spread over the model's emission time, not bunched at the end.
	const [emission] = stub.emissions.slice(emissionsBefore);
	expect(emission.streamed).toBe(true);
	const emissionSpan = emission.tokenTimes.at(-1)! - emission.tokenTimes[0];
	const frameSpan = tts.at(-1)!.at - tts[0].at;
	const firstFrameAt = sentAt + tts[0].at; // same clock as the stub's performance.now()
	const lags = tts.map((frame, i) => Math.round(sentAt + frame.at - emission.tokenTimes[i]));
	console.log(
		`AI Agent → Layercode timings (ms since request): tts ${tts.map((frame) => frame.at).join(', ')}; ` +
			`end ${answer.frames.at(-1)!.at}; frame span ${frameSpan.toFixed(1)} vs stub emission span ${emissionSpan.toFixed(1)}; ` +
			`per-token lag (arrival - emission): ${lags.join(', ')}`,
	);
	expect(frameSpan).toBeGreaterThanOrEqual(0.6 * emissionSpan);
	expect(firstFrameAt).toBeLessThan(emission.tokenTimes.at(-1)!); // the first word was heard before the last was generated
});

guarded("n8n's own framing of the AI Agent's stream (plain Webhook, streaming): begin, one item per token, end", async () => {
	const before = completionRequests().length;
	const started = performance.now();
	const response = await fetch(n8n.webhookUrl(RAW_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
		body: JSON.stringify({ text: 'Raw chunks please' }),
	});
	expect(response.status).toBe(200);
	const lines: Array<{ at: number; line: string }> = [];
	let pending = '';
	const decoder = new TextDecoder();
	for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) {
		pending += decoder.decode(part, { stream: true });
		let newline = pending.indexOf('\n');
		while (newline !== -1) {
			lines.push({ at: Math.round(performance.now() - started), line: pending.slice(0, newline) });
			pending = pending.slice(newline + 1);
			newline = pending.indexOf('\n');
		}
	}
	if (pending !== '') lines.push({ at: Math.round(performance.now() - started), line: pending });
	console.log(`n8n's raw chunk lines (ms since request):\n${lines.map(({ at, line }) => `${at}\t${line}`).join('\n')}`);

	const chunks = lines.map(({ line }) => JSON.parse(line) as { type: string; content?: string; metadata?: Record<string, unknown> });
	expect(chunks.map((chunk) => chunk.type)).toEqual(['begin', ...stub.tokens.map(() => 'item'), 'end']);
	expect(chunks.filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content)).toEqual(stub.tokens);
	for (const chunk of chunks) expect(chunk.metadata).toMatchObject({ nodeName: 'AI Agent', itemIndex: 0 });
	expect(userText(completionRequests()[before])).toBe('Raw chunks please');
});
