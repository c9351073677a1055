// Retell in a real n8n: deliveries signed by retell-sdk itself (call_started, call_ended,
// call_analyzed) each start one execution whose trigger item carries the normalised fields;
// forged, stale, future, tampered and unsigned ones get 401 and start nothing; Retell's retry of
// a delivery (the same body, signed again later) and a concurrent copy start no second execution.
import { symmetric } from 'retell-sdk/lib/webhook_auth';

import { deliver, expectExecutions, n8nWithTriggers, onlyExecutionItem as onlyItem } from './deliveries';
import type { ExecutionDetail, N8n } from './harness';
import { triggerOnly } from './workflows';
import { signRetell, type Headers } from '../support/sign';
import { fixtureText } from '../unit/helpers/fixtures';

// The Retell API key with the webhook badge goes into the Voice Agent Webhook Secret API credential.
const API_KEY = 'key_e2e_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const CALL = 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6';

const WORKFLOWS = {
	started: triggerOnly('wfRetellStart01', 'retell-started', { platform: 'retell' }),
	ended: triggerOnly('wfRetellEnded01', 'retell-ended', { platform: 'retell' }),
	analyzed: triggerOnly('wfRetellAnalyz1', 'retell-analyzed', { platform: 'retell' }),
	rejects: triggerOnly('wfRetellReject1', 'retell-rejects', { platform: 'retell' }),
	copies: triggerOnly('wfRetellCopies1', 'retell-copies', { platform: 'retell' }),
};

let n8n: N8n;

/** Signed by Retell's own SDK, as Retell signs: `v=<now ms>,d=<hex>`. */
const sdkSigned = async (body: string, at = Date.now()): Promise<Headers> => ({
	'x-retell-signature': await symmetric.sign(body, API_KEY, at),
});

const post = (name: string, body: string, headers: Headers) => deliver(n8n, name, body, headers);

/** Nothing consumed for authentication is stored with the execution. */
function expectNoSecretStored(detail: ExecutionDetail) {
	const stored = JSON.stringify(detail);
	expect(stored).not.toContain(API_KEY);
	expect(stored).not.toContain('x-retell-signature');
}

/** The trigger's output item of the only execution the workflow must have (nothing secret stored). */
async function onlyExecutionItem(workflowId: string) {
	const { item, detail } = await onlyItem(n8n, workflowId);
	expectNoSecretStored(detail);
	return item;
}

const guarded = n8nWithTriggers(Object.values(WORKFLOWS), API_KEY, (started) => (n8n = started));

const PARTIES = {
	sessionId: CALL,
	agentId: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD',
	platform: 'phone_call',
	direction: 'inbound',
	from: '+15550100123',
	to: '+15550100100',
	startedAt: '2024-05-02T00:07:55.945Z',
	variables: { customer_name: 'John Doe', taskId: 'T-7', crmContactId: '0035g00000XyZabAAB' },
};

const AFTER_THE_CALL = {
	endedAt: '2024-05-02T00:08:11.736Z',
	durationSeconds: 15.791,
	recordingUrl: `https://retellai.s3.us-west-2.amazonaws.com/${CALL}/recording.wav`,
	endedReason: 'user_hangup',
	transcript: [
		{ role: 'assistant', text: 'Hi, thanks for calling Acme. How can I help?', at: '2024-05-02T00:07:56.645Z' },
		{ role: 'user', text: "I'd like to move my appointment to Friday.", at: '2024-05-02T00:08:00.195Z' },
		{ role: 'assistant', text: "Done: you're booked for Friday at 10 a.m.", at: '2024-05-02T00:08:04.045Z' },
		{ role: 'user', text: 'Great, thanks.', at: null },
	],
};

describe('Retell: a genuine delivery per event runs once with the normalised fields', () => {
	guarded('call_started → session.started', async () => {
		const body = fixtureText('retell/call_started');
		expect(await post('retell-started', body, await sdkSigned(body))).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const item = await onlyExecutionItem(WORKFLOWS.started.id);
		expect(item).toMatchObject({
			provider: 'retell',
			event: 'session.started',
			eventType: 'call_started',
			deliveryId: `${CALL}:call_started`,
			...PARTIES,
			endedAt: null,
			transcript: null,
			summary: null,
			raw: JSON.parse(body),
		});
		expect(item.warnings).toBeUndefined();
	});

	guarded('call_ended → session.ended', async () => {
		const body = fixtureText('retell/call_ended');
		expect(await post('retell-ended', body, await sdkSigned(body))).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const item = await onlyExecutionItem(WORKFLOWS.ended.id);
		expect(item).toMatchObject({
			provider: 'retell',
			event: 'session.ended',
			eventType: 'call_ended',
			deliveryId: `${CALL}:call_ended`,
			...PARTIES,
			...AFTER_THE_CALL,
			summary: null,
			sentiment: null,
			resolution: null,
			extracted: {},
		});
		expect(item.warnings).toBeUndefined();
	});

	guarded('call_analyzed → session.analyzed, the body as stored (non-ASCII bytes) verified as sent', async () => {
		const body = fixtureText('retell/call_analyzed');
		expect(await post('retell-analyzed', body, await sdkSigned(body))).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const item = await onlyExecutionItem(WORKFLOWS.analyzed.id);
		expect(item).toMatchObject({
			provider: 'retell',
			event: 'session.analyzed',
			eventType: 'call_analyzed',
			deliveryId: expect.stringMatching(new RegExp(`^${CALL}:call_analyzed:[0-9a-f]{16}$`)),
			...PARTIES,
			...AFTER_THE_CALL,
			summary:
				'José called to move his appointment to Friday; the agent rebooked it for Friday at 10 a.m. and the caller was satisfied.',
			sentiment: 'Positive',
			resolution: 'successful',
			extracted: { new_date: '2024-05-03', appointment_booked: true, follow_up_email: 'jose@example.com' },
		});
		expect(item.warnings).toBeUndefined();
	});
});

describe('Retell: what Retell did not sign gets 401 and starts nothing', () => {
	guarded('forged, stale, future, tampered, malformed and unsigned deliveries', async () => {
		const body = fixtureText('retell/call_ended');
		const now = Date.now();
		const refused: Array<[string, string, Headers]> = [
			['forged: another API key', body, signRetell(body, 'key_not_the_one_with_the_webhook_badge')],
			['stale: signed 6 minutes ago', body, await symmetric.sign(body, API_KEY, now - 360_000).then((s) => ({ 'x-retell-signature': s }))],
			['future: signed 6 minutes ahead', body, signRetell(body, API_KEY, now + 360_000)],
			['tampered after signing', body.replace('user_hangup', 'agent_hangup'), await sdkSigned(body)],
			['malformed header', body, { 'x-retell-signature': `t=${Math.floor(now / 1000)},v1=00` }],
			['unsigned', body, {}],
		];
		for (const [name, sent, headers] of refused) {
			const answer = await post('retell-rejects', sent, headers);
			expect({ name, status: answer.status }).toEqual({ name, status: 401 });
			expect(JSON.stringify(answer.json ?? {})).not.toContain(API_KEY);
		}
		const genuine = fixtureText('retell/call_started');
		const { item, detail } = await expectExecutions(n8n, WORKFLOWS.rejects.id, 0, async () =>
			post('retell-rejects', genuine, await sdkSigned(genuine)),
		);
		expectNoSecretStored(detail);
		expect(item).toMatchObject({ event: 'session.started' });
	});
});

describe('Retell: copies of one delivery run once', () => {
	guarded('a concurrent copy and Retell\'s later retry (same body, signed again) start no second execution', async () => {
		const body = fixtureText('retell/call_analyzed');
		const [first, copy] = await Promise.all([
			post('retell-copies', body, await sdkSigned(body)),
			post('retell-copies', body, await sdkSigned(body)),
		]);
		// One is accepted; the other is a duplicate (200) or, while the first is being accepted, 409 (Retell retries it).
		const outcomes = [first, copy].map((answer) => `${answer.status} ${(answer.json as { status?: string })?.status}`).sort();
		expect(outcomes).toContain('200 accepted');
		expect(outcomes.filter((outcome) => outcome === '200 accepted')).toHaveLength(1);
		const item = await onlyExecutionItem(WORKFLOWS.copies.id);

		// Retell's retry, seconds later: a new signature over the same body.
		const retry = await post('retell-copies', body, await sdkSigned(body, Date.now() + 1000));
		expect(retry).toMatchObject({ status: 200, json: { status: 'duplicate', deliveryId: item.deliveryId } });
		const executions = await n8n.executions(WORKFLOWS.copies.id);
		expect(executions).toHaveLength(1);
	});
});
