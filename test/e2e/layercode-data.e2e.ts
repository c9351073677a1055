// Layercode `data` events in a real n8n: the browser client's sendClientResponseData arrives as a
// signed `data` webhook, and the workflow's Send Data is the HTTP answer, as plain JSON (Layercode
// forwards it to the client as response.data). Read with node:http, no SSE parser, no decompression.
import { request } from 'node:http';

import { printLogOnFailure, startN8n, type N8n } from './harness';
import { secretCredential, chain, node, triggerNode, triggerPath, VOICE_AGENT_TYPE } from './workflows';
import { signLayercode } from '../support/sign';

const SECRET = 'layercode-webhook-secret-for-tests';
const layercodeTrigger = (name: string) => triggerNode(name, { platform: 'layercode' });
const sendData = (name: string, data: string) => node(name, VOICE_AGENT_TYPE, { resource: 'turn', operation: 'sendData', data });

const WORKFLOWS = {
	reply: chain('wfDataReply0001', [
		layercodeTrigger('data-reply'),
		sendData('Send Data', '={{ JSON.stringify({ confirmed: $json.raw.data.orderId, turn: $json.turnId, session: $json.sessionId }) }}'),
	]),
	nothing: chain('wfDataNothing01', [layercodeTrigger('data-nothing'), node('Done', 'n8n-nodes-base.noOp')]),
	failing: chain('wfDataFailing01', [
		layercodeTrigger('data-fail'),
		sendData('Send Data', '{"partial":true}'),
		node('Fail', 'n8n-nodes-base.stopAndError', { errorMessage: 'CRM said 401 for key sk_live_do_not_leak' }),
	]),
	early: chain('wfDataEarly0001', [
		layercodeTrigger('data-early'),
		sendData('Send Data', '{"early":true}'),
		node('End Turn', VOICE_AGENT_TYPE, { resource: 'turn', operation: 'endTurn' }),
		node('Wait', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: 3, unit: 'seconds' }, 1.1),
		sendData('Send Data Late', '{"late":true}'),
	]),
};

interface PlainAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: string;
	ms: number;
}

/** One POST with node:http, the body read whole as bytes (identity encoding: what is on the wire). */
function post(url: string, body: string, headers: Record<string, string>): Promise<PlainAnswer> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{ method: 'POST', headers: { 'content-type': 'application/json', 'accept-encoding': 'identity', ...headers } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks).toString('utf8'),
						ms: performance.now() - started,
					}),
				);
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

let n8n: N8n;
let counter = 0;

/** A signed Layercode `data` event, as the browser client's sendClientResponseData produces it. */
async function sendClientData(name: string, data: Record<string, unknown>) {
	const turnId = `turn_${process.pid}_${++counter}`;
	const body = JSON.stringify({ type: 'data', session_id: 'sess_d1', conversation_id: 'conv_d1', turn_id: turnId, data });
	const answer = await post(n8n.webhookUrl(triggerPath(name)), body, signLayercode(body, SECRET));
	return { ...answer, turnId };
}

const guarded = (name: string, body: () => Promise<void>, timeout = 120_000) =>
	test(name, () => printLogOnFailure(n8n, body), timeout);

describe('Layercode data events: the workflow’s JSON is the answer', () => {
	beforeAll(async () => {
		n8n = await startN8n({ workflows: Object.values(WORKFLOWS), credentials: [secretCredential(SECRET)] });
	}, 600_000);

	afterAll(async () => {
		await n8n?.stop();
	});

	guarded('Send Data: 200, application/json, exactly the workflow’s JSON (no SSE, no status object)', async () => {
		const answer = await sendClientData('data-reply', { action: 'confirm_order', orderId: 'ORD-12345' });
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(answer.headers['content-encoding']).toBeUndefined();
		expect(JSON.parse(answer.body)).toEqual({ confirmed: 'ORD-12345', turn: answer.turnId, session: 'sess_d1' });
		expect(answer.body).not.toContain('data:');
		const [execution] = await n8n.waitForExecutions(WORKFLOWS.reply.id, 1);
		expect(execution.status).toBe('success');
	});

	guarded('a workflow that sends nothing: 200 {} as JSON', async () => {
		const answer = await sendClientData('data-nothing', { action: 'noop' });
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(answer.body).toBe('{}');
	});

	guarded('a failing node: a JSON error the client can read, without n8n’s error text', async () => {
		const answer = await sendClientData('data-fail', { action: 'confirm_order', orderId: 'ORD-1' });
		expect(answer.status).toBe(200);
		expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(JSON.parse(answer.body)).toEqual({ error: 'workflow_failed', message: 'The workflow failed before it could answer' });
		expect(answer.body).not.toMatch(/sk_live|401|CRM|stack/i);
		const [execution] = await n8n.waitForExecutions(WORKFLOWS.failing.id, 1);
		expect(execution.status).toBe('error');
	});

	guarded('End Turn answers at once; the rest of the workflow (a 3 s Wait, a later Send Data) changes nothing', async () => {
		const answer = await sendClientData('data-early', { action: 'ping' });
		expect(answer.status).toBe(200);
		expect(answer.body).toBe('{"early":true}');
		// The answer did not wait for the Wait node (3 s).
		expect(answer.ms).toBeLessThan(2_500);
		const [execution] = await n8n.waitForExecutions(WORKFLOWS.early.id, 1, 30_000);
		expect(['success', 'waiting', 'running']).toContain(execution.status);
	});

	guarded('10 concurrent data events each get their own answer', async () => {
		const answers = await Promise.all(
			Array.from({ length: 10 }, (_, i) => sendClientData('data-reply', { action: 'confirm_order', orderId: `ORD-${i}` })),
		);
		answers.forEach((answer, i) => {
			expect(answer.status).toBe(200);
			expect(JSON.parse(answer.body)).toEqual({ confirmed: `ORD-${i}`, turn: answer.turnId, session: 'sess_d1' });
		});
	});
});
