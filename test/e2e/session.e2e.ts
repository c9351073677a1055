// The Session resource and the trigger's Include Full Transcript, in a real n8n, against a
// local stub of the platform APIs that records which credential reached it.
import { nodeOutputJson, printLogOnFailure, startN8n, type N8n } from './harness';
import { API_KEY_CREDENTIAL_ID, apiKeyCredential, chain, node, secretCredential, triggerNode, triggerPath, VOICE_AGENT_TYPE } from './workflows';
import { conversation, startPlatformStub, type PlatformStub } from '../support/platform-stub';
import { signStandardWebhook } from '../support/sign';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GOOD_KEY = 'pk_live_good';
const GOOD_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
const LONG_SESSION = 'sess-long-250';
const SHORT_SESSION = 'sess-short-3';

const jwtCredential = (baseUrl: string) => ({
	id: 'vaJwtCred000001',
	name: 'Voice Agent JWT',
	type: 'voiceAgentJwtApi',
	data: { baseUrl, accessToken: GOOD_TOKEN, keyType: 'secret', secret: 'unused', algorithms: ['HS256'], leewaySeconds: 30 },
});
const bearerKeyCredential = (baseUrl: string) => ({
	id: 'vaBearerCred001',
	name: 'Voice Agent Layercode key',
	type: 'voiceAgentApiKeyApi',
	data: { baseUrl, apiKey: GOOD_KEY, keyPlacement: 'bearer' },
});

/** n8n's Webhook node → Voice Agent (session): the request body says which session. */
function sessionWorkflow(id: string, path: string, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>, continueOnFail = false) {
	const webhook = node('Webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, 2);
	webhook.webhookId = `wh-${path}`;
	const voiceAgent = node('Voice Agent', VOICE_AGENT_TYPE, { resource: 'session', sessionId: '={{ $json.body.sessionId }}', ...parameters });
	voiceAgent.credentials = credentials;
	if (continueOnFail) voiceAgent.onError = 'continueRegularOutput';
	return chain(id, [webhook, voiceAgent]);
}

const apiKeyRef = { voiceAgentApiKeyApi: { id: API_KEY_CREDENTIAL_ID, name: 'Voice Agent test key' } };

/** A trigger with Include Full Transcript: its signing secret, plus the API key when `withKey`. */
function enrichTrigger(id: string, name: string, withKey: boolean) {
	const trigger = triggerNode(name, { platform: 'agntix', triggerOptions: { includeTranscript: true } });
	if (withKey) trigger.credentials = { ...trigger.credentials, ...apiKeyRef };
	return chain(id, [trigger, node('Done', 'n8n-nodes-base.noOp')]);
}

let stub: PlatformStub;
let n8n: N8n;
let WORKFLOWS: Record<string, { id: string }>;

beforeAll(async () => {
	stub = await startPlatformStub(
		[
			{ id: LONG_SESSION, messages: conversation(250) },
			{ id: SHORT_SESSION, messages: conversation(3) },
		],
		[GOOD_KEY, GOOD_TOKEN],
	);
	WORKFLOWS = {
		get: sessionWorkflow('wfSessionGet001', 'session-get', { operation: 'get', platform: 'agntix' }, apiKeyRef),
		transcript: sessionWorkflow('wfSessionTrans1', 'session-transcript', { operation: 'getTranscript', platform: 'agntix' }, apiKeyRef),
		jwt: sessionWorkflow('wfSessionJwt001', 'session-jwt', { operation: 'getTranscript', platform: 'agntix', authentication: 'jwt' }, {
			voiceAgentJwtApi: { id: 'vaJwtCred000001', name: 'Voice Agent JWT' },
		}),
		layercode: sessionWorkflow(
			'wfSessionLayer1',
			'session-layercode',
			{ operation: 'getTranscript', platform: 'layercode', agentId: 'agent-7' },
			{ voiceAgentApiKeyApi: { id: 'vaBearerCred001', name: 'Voice Agent Layercode key' } },
		),
		missing: sessionWorkflow('wfSessionMiss01', 'session-missing', { operation: 'get', platform: 'agntix' }, apiKeyRef),
		missingContinue: sessionWorkflow('wfSessionMissC1', 'session-missing-continue', { operation: 'get', platform: 'agntix' }, apiKeyRef, true),
		enrich: enrichTrigger('wfTriggerEnrich', 'enrich', true),
		enrichNoKey: enrichTrigger('wfTriggerNoKey1', 'enrichNoKey', false),
	};
	n8n = await startN8n({
		workflows: Object.values(WORKFLOWS),
		credentials: [
			secretCredential(SECRET),
			apiKeyCredential({ baseUrl: stub.url, apiKey: GOOD_KEY }),
			jwtCredential(stub.url),
			bearerKeyCredential(stub.url),
		],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await stub?.close();
});

const guarded = (name: string, body: () => Promise<void>) => test(name, () => printLogOnFailure(n8n, body), 120_000);

/** Calls a session workflow and returns the Voice Agent node's output (or the execution's error). */
async function run(workflow: { id: string }, path: string, sessionId: string) {
	const before = (await n8n.executions(workflow.id)).length;
	const response = await fetch(n8n.webhookUrl(path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ sessionId }),
	});
	expect(response.status).toBe(200);
	const executions = await n8n.waitForExecutions(workflow.id, before + 1);
	const detail = await n8n.executionData(executions[0].id);
	const error = detail.data.resultData.error;
	return { status: executions[0].status, error, items: error ? [] : nodeOutputJson(detail, 'Voice Agent') };
}

const requestsTo = (path: string) => stub.requests.filter((request) => request.path === path);

guarded('Get: the API key reaches the platform in x-api-key', async () => {
	const { items } = await run(WORKFLOWS.get, 'session-get', SHORT_SESSION);
	expect(items).toEqual([{ id: SHORT_SESSION, state: 'CLOSED', messageCount: 3 }]);
	const [request] = requestsTo(`/api/v1/chat/sessions/${SHORT_SESSION}`);
	expect(request.headers['x-api-key']).toBe(GOOD_KEY);
	expect(request.headers.authorization).toBeUndefined();
});

guarded('Get Transcript follows every page and normalises the messages', async () => {
	const { items } = await run(WORKFLOWS.transcript, 'session-transcript', LONG_SESSION);
	const transcript = items[0].transcript as Array<{ role: string; text: string; at: string }>;
	expect(transcript).toHaveLength(250);
	expect(transcript[0]).toEqual({ role: 'user', text: 'line 0', at: '2026-11-22T10:00:00.000Z' });
	expect(transcript[249]).toEqual({ role: 'assistant', text: 'line 249', at: '2026-11-22T10:04:09.000Z' });
	const pages = requestsTo(`/api/v1/chat/sessions/${LONG_SESSION}/messages`).map((request) => request.query.get('page'));
	expect(pages).toEqual(['1', '2', '3']);
});

guarded('the JWT credential sends Authorization: Bearer', async () => {
	const before = stub.requests.length;
	const { items } = await run(WORKFLOWS.jwt, 'session-jwt', SHORT_SESSION);
	expect(items[0].transcript).toHaveLength(3);
	const requests = stub.requests.slice(before);
	expect(requests.every((request) => request.headers.authorization === `Bearer ${GOOD_TOKEN}`)).toBe(true);
});

guarded('Layercode: the key travels as a Bearer token, the transcript comes in the common shape', async () => {
	const { items } = await run(WORKFLOWS.layercode, 'session-layercode', SHORT_SESSION);
	expect(items[0].transcript).toEqual([
		{ role: 'user', text: 'line 0', at: '2026-11-22T10:00:00.000Z' },
		{ role: 'assistant', text: 'line 1', at: '2026-11-22T10:00:01.000Z' },
		{ role: 'user', text: 'line 2', at: '2026-11-22T10:00:02.000Z' },
	]);
	const [request] = requestsTo(`/v1/agents/agent-7/sessions/${SHORT_SESSION}`);
	expect(request.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
	expect(request.headers['x-api-key']).toBeUndefined();
});

guarded('an unknown session fails with words a user understands', async () => {
	const { status, error } = await run(WORKFLOWS.missing, 'session-missing', 'nope');
	expect(status).toBe('error');
	expect(error?.message).toBe('No such session: session nope');
});

guarded('Continue On Fail turns the error into an item', async () => {
	const { status, items } = await run(WORKFLOWS.missingContinue, 'session-missing-continue', 'nope');
	expect(status).toBe('success');
	expect(items).toEqual([{ error: 'No such session: session nope' }]);
});

describe('Include Full Transcript on the trigger', () => {
	const post = async (sessionId: string, trigger = 'enrich') => {
		const body = JSON.stringify({ id: sessionId, eventType: 'session.ended', type: 'VOICE', state: 'CLOSED', createdAt: '2026-11-22T10:00:00Z' });
		const response = await fetch(n8n.webhookUrl(triggerPath(trigger)), {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...signStandardWebhook(body, SECRET, { id: `msg_${sessionId}_${Date.now()}` }) },
			body,
		});
		expect(response.status).toBe(200);
	};

	guarded('enriches session.ended with every message', async () => {
		await post(LONG_SESSION);
		const [execution] = await n8n.waitForExecutions(WORKFLOWS.enrich.id, 1);
		const [item] = nodeOutputJson(await n8n.executionData(execution.id), 'Voice Agent Trigger');
		expect(item.transcript).toHaveLength(250);
		expect(item.warnings).toBeUndefined();
	});

	guarded('a failed fetch still delivers the item, with the reason in warnings', async () => {
		await post('unknown-session');
		const executions = await n8n.waitForExecutions(WORKFLOWS.enrich.id, 2);
		const [item] = nodeOutputJson(await n8n.executionData(executions[0].id), 'Voice Agent Trigger');
		expect(item.sessionId).toBe('unknown-session');
		expect(item.transcript).toBeNull();
		expect(item.warnings).toEqual(['transcript: No such session: session unknown-session']);
	});

	guarded('without an API-key credential on the trigger, the item is delivered with a warning that says which credential', async () => {
		const before = stub.requests.length;
		await post(LONG_SESSION, 'enrichNoKey');
		const [execution] = await n8n.waitForExecutions(WORKFLOWS.enrichNoKey.id, 1);
		const [item] = nodeOutputJson(await n8n.executionData(execution.id), 'Voice Agent Trigger');
		expect(item.sessionId).toBe(LONG_SESSION);
		expect(item.transcript).toBeNull();
		expect(item.warnings).toEqual([
			'transcript: Include Full Transcript needs a Voice Agent API Key API credential (the Agntix API key) on the trigger; none is selected',
		]);
		expect(stub.requests.slice(before)).toEqual([]);
	});
});
