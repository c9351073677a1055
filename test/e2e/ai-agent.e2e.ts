// n8n's own AI Agent node, streaming on, after the Voice Agent Trigger (Layercode): the LLM's
// tokens reach the caller as `response.tts` frames while the model is still generating, then one
// `response.end`. The model is n8n's OpenAI Chat Model pointed at a local OpenAI-compatible stub
// that streams its tokens with a delay, so arrival times can be compared with emission times.
// A second workflow puts the same agent behind n8n's plain Webhook node in streaming mode and
// reads n8n's raw chunk lines: the exact input the trigger re-encodes.
import { printLogOnFailure, startN8n, type N8n } from './harness';
import { node, secretCredential, triggerNode, triggerPath } from './workflows';
import { agentNode, openAiCredential, STUB_MODEL, userText, withChatModel } from './ai-agent-workflow';
import { signLayercode } from '../support/sign';
import { readTurn } from '../support/sse';
import { startOpenAiStub, type OpenAiStub } from '../support/openai-stub';

const SECRET = 'layercode-webhook-secret-for-tests';
const RAW_PATH = 'agent-raw-chunks';

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
