// Acknowledge "When the Workflow Succeeds" in a real n8n: a failing workflow is answered 500 and
// its delivery id is not remembered, so the sender's retry (same svix-id, re-signed) runs the
// workflow again once the failure is fixed, and is then a duplicate; a copy arriving while the
// first still runs (also past the 30 s a plain claim lasts) gets 409 + Retry-After; "When the
// Execution Starts" still answers before the workflow has run. The switch that makes the
// workflow fail: the CRM stub does not know the caller's contact until the test adds it.
import { printLogOnFailure, startN8n, type N8n } from './harness';
import { secretCredential, chain, node, triggerNode, triggerPath } from './workflows';
import { postJson } from '../support/post';
import { signStandardWebhook, type Headers } from '../support/sign';
import { SAMPLE_CONTACT, startCrmStub, type CrmStub } from '../support/crm-stub';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** How long the CRM stub takes to answer: every run lasts at least this long. */
const CRM_DELAY_MS = 1500;
/** Longer than a plain claim's 30 s (PENDING_MAX_AGE_MS). */
const SLOW_CRM_DELAY_MS = 33_000;

let n8n: N8n;
let crm: CrmStub;
let slowCrm: CrmStub;
let deliveryCounter = 0;
const freshId = () => `msg_ack_${process.pid}_${++deliveryCounter}`;

/** Trigger → look the caller up in the CRM (fails on 404) → Done. */
function lookupWorkflow(id: string, name: string, crmBaseUrl: () => string, triggerOptions: Record<string, unknown>) {
	return () =>
		chain(id, [
			triggerNode(name, { platform: 'agntix', triggerOptions }),
			node('Look Up Caller', 'n8n-nodes-base.httpRequest', {
				url: `=${crmBaseUrl()}/api/contacts/{{ encodeURIComponent($json.variables.crmContactId) }}`,
				options: { timeout: 120_000 },
			}, 4.2),
			node('Done', 'n8n-nodes-base.noOp'),
		]);
}

const WORKFLOWS = {
	succeeds: lookupWorkflow('wfAckSucceeds01', 'ack-succeeds', () => crm.baseUrl, { acknowledge: 'workflowSucceeds' }),
	slow: lookupWorkflow('wfAckSlow000001', 'ack-slow', () => slowCrm.baseUrl, { acknowledge: 'workflowSucceeds' }),
	starts: lookupWorkflow('wfAckStarts0001', 'ack-starts', () => crm.baseUrl, {}),
};

function sessionEnded(crmContactId: string) {
	return JSON.stringify({
		id: `d2c1a1f0-5b7e-4c7a-9a51-${crmContactId.replace(/\W/g, '').padStart(12, '0').slice(-12)}`,
		eventType: 'session.ended',
		type: 'VOICE',
		platform: 'PHONE',
		direction: 'INBOUND',
		state: 'CLOSED',
		agentId: 'agent_42',
		createdAt: '2026-11-22T10:00:00.000Z',
		endedAt: '2026-11-22T10:04:12.500Z',
		metadata: { customerPhoneNumber: '+15551234567', sessionVariables: { crmContactId } },
	});
}

/** A delivery as Svix sends it (and re-sends it): the same id and body, signed now. */
async function deliver(path: string, body: string, deliveryId: string) {
	const headers: Headers = signStandardWebhook(body, SECRET, { id: deliveryId });
	const { status, text, json, headers: answerHeaders } = await postJson(n8n.webhookUrl(triggerPath(path)), body, headers);
	return { status, text, json, retryAfter: answerHeaders.get('retry-after'), at: performance.now() };
}

/** Waits until the CRM stub has received the lookup of this contact (the workflow is running). */
async function lookupArrived(stub: CrmStub, contactId: string) {
	const deadline = Date.now() + 30_000;
	while (!stub.requests.some((request) => request.path === `/api/contacts/${contactId}`)) {
		if (Date.now() > deadline) throw new Error(`the workflow never looked up ${contactId}`);
		await new Promise((done) => setTimeout(done, 50));
	}
	return stub.requests.find((request) => request.path === `/api/contacts/${contactId}`)!;
}

const contact = (id: string) => ({ ...SAMPLE_CONTACT, id });

beforeAll(async () => {
	crm = await startCrmStub({ delayMs: CRM_DELAY_MS, contacts: [] });
	slowCrm = await startCrmStub({ delayMs: SLOW_CRM_DELAY_MS, contacts: [contact('C-ACK-SLOW')] });
	n8n = await startN8n({
		workflows: Object.values(WORKFLOWS).map((build) => build()),
		credentials: [secretCredential(SECRET)],
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await crm?.stop();
	await slowCrm?.stop();
});

const guarded = (name: string, body: () => Promise<void>, timeout = 120_000) =>
	test(name, () => printLogOnFailure(n8n, body), timeout);

describe('Acknowledge: When the Workflow Succeeds', () => {
	guarded('a failed run is answered 500 and forgotten; the retry after the fix runs once, then is a duplicate', async () => {
		const workflowId = 'wfAckSucceeds01';
		const body = sessionEnded('C-ACK-1');
		const deliveryId = freshId();

		const failed = await deliver('ack-succeeds', body, deliveryId);
		expect(failed.status).toBe(500);
		expect(failed.json).toEqual({ error: 'workflow_failed', message: expect.any(String) });
		expect(failed.text).not.toContain(SECRET);
		expect(failed.text).not.toContain('whsec_');
		// The answer came after the run: the execution exists and has failed.
		const [first] = await n8n.waitForExecutions(workflowId, 1);
		expect(first.status).toBe('error');

		// The same delivery before the fix: still not a duplicate, it runs (and fails) again.
		const stillFailing = await deliver('ack-succeeds', body, deliveryId);
		expect(stillFailing.status).toBe(500);
		await n8n.waitForExecutions(workflowId, 2);

		crm.contacts.set('C-ACK-1', contact('C-ACK-1')); // the fix
		const retried = await deliver('ack-succeeds', body, deliveryId);
		expect(retried).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const executions = await n8n.waitForExecutions(workflowId, 3);
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'error', 'error']);

		const again = await deliver('ack-succeeds', body, deliveryId);
		expect(again).toMatchObject({ status: 200, json: { status: 'duplicate', deliveryId } });
		await new Promise((done) => setTimeout(done, 1000));
		expect(await n8n.executions(workflowId)).toHaveLength(3);
	});

	guarded('a copy arriving while the first still runs gets 409 + Retry-After; the first is then answered 200', async () => {
		const workflowId = 'wfAckSucceeds01';
		const before = (await n8n.executions(workflowId)).length;
		crm.contacts.set('C-ACK-2', contact('C-ACK-2'));
		const body = sessionEnded('C-ACK-2');
		const deliveryId = freshId();

		const first = deliver('ack-succeeds', body, deliveryId);
		const lookup = await lookupArrived(crm, 'C-ACK-2');
		const copy = await deliver('ack-succeeds', body, deliveryId);
		expect(copy).toMatchObject({ status: 409, retryAfter: '5', json: { status: 'in_progress', deliveryId } });
		const answer = await first;
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });
		// The sender was answered only once the workflow had its CRM answer.
		expect(answer.at).toBeGreaterThanOrEqual(lookup.answeredAt!);
		const executions = await n8n.waitForExecutions(workflowId, before + 1);
		expect(executions).toHaveLength(before + 1);
		expect(executions[0].status).toBe('success');
	});

	guarded(
		'a run longer than 30 s still holds its claim: a copy at 31 s gets 409, not a second run',
		async () => {
			const workflowId = 'wfAckSlow000001';
			const body = sessionEnded('C-ACK-SLOW');
			const deliveryId = freshId();
			const sentAt = Date.now();
			const first = deliver('ack-slow', body, deliveryId);
			await lookupArrived(slowCrm, 'C-ACK-SLOW');
			await new Promise((done) => setTimeout(done, Math.max(0, sentAt + 31_000 - Date.now())));
			const copy = await deliver('ack-slow', body, deliveryId);
			expect(copy).toMatchObject({ status: 409, retryAfter: '5', json: { status: 'in_progress' } });
			expect(await first).toMatchObject({ status: 200, json: { status: 'accepted' } });
			const executions = await n8n.waitForExecutions(workflowId, 1);
			expect(executions).toHaveLength(1);
			expect(executions[0].status).toBe('success');
		},
		180_000,
	);
});

describe('Acknowledge: When the Execution Starts (the default) is unchanged', () => {
	guarded('answered 200 before the workflow has run; a failed run is not retried (duplicate)', async () => {
		const workflowId = 'wfAckStarts0001';
		const body = sessionEnded('C-ACK-3'); // unknown to the CRM: the workflow fails
		const deliveryId = freshId();
		const answer = await deliver('ack-starts', body, deliveryId);
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const lookup = await lookupArrived(crm, 'C-ACK-3');
		expect(lookup.answeredAt === undefined || answer.at < lookup.answeredAt).toBe(true);
		const [execution] = await n8n.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('error');

		const retried = await deliver('ack-starts', body, deliveryId);
		expect(retried).toMatchObject({ status: 200, json: { status: 'duplicate', deliveryId } });
		expect(await n8n.executions(workflowId)).toHaveLength(1);
	});
});
