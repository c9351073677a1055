/**
 * Smoke test of the harness with n8n's own nodes only: a published Webhook → No Op workflow
 * answers on its production URL, its execution and run data are readable over REST, and the
 * webhook still answers after a restart.
 */
import { type N8n, nodeOutputJson, printLogOnFailure, startN8n } from './harness';

const WORKFLOW_ID = 'harnessSmoke0001';
const PATH = 'harness-smoke';

const workflow = {
	id: WORKFLOW_ID,
	name: 'Harness smoke',
	active: false,
	nodes: [
		{
			id: 'b3a1c8a0-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '6f1f4b8e-0000-4000-8000-00000000a001',
			parameters: { httpMethod: 'POST', path: PATH, responseMode: 'onReceived', options: {} },
		},
		{
			id: 'b3a1c8a0-0000-4000-8000-000000000002',
			name: 'No Op',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [220, 0],
			parameters: {},
		},
	],
	connections: { Webhook: { main: [[{ node: 'No Op', type: 'main', index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

describe('e2e harness (n8n built-in nodes only)', () => {
	let n8n: N8n | undefined;

	beforeAll(async () => {
		n8n = await startN8n({ workflows: [workflow], installPackage: false });
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	async function post(body: object): Promise<Response> {
		return fetch(n8n!.webhookUrl(PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
	}

	it('runs the published workflow and exposes its run data', () =>
		printLogOnFailure(n8n, async () => {
			const sent = { hello: 'world', n: 42, nested: { list: [1, 2, 3] } };
			const response = await post(sent);
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({ message: 'Workflow was started' });

			const [execution] = await n8n!.waitForExecutions(WORKFLOW_ID, 1);
			expect(execution).toMatchObject({ workflowId: WORKFLOW_ID, mode: 'webhook', status: 'success' });

			const detail = await n8n!.executionData(execution.id);
			const [item] = nodeOutputJson(detail, 'Webhook');
			expect(item.body).toEqual(sent);
			expect(nodeOutputJson(detail, 'No Op')).toHaveLength(1);
		}));

	it('keeps the webhook registered across a restart', () =>
		printLogOnFailure(n8n, async () => {
			await n8n!.restart();
			const response = await post({ afterRestart: true });
			expect(response.status).toBe(200);

			const executions = await n8n!.waitForExecutions(WORKFLOW_ID, 2);
			expect(executions).toHaveLength(2);
			const detail = await n8n!.executionData(executions[0].id);
			expect(nodeOutputJson(detail, 'Webhook')[0].body).toEqual({ afterRestart: true });
		}));
});
