// Vapi in a real n8n: a genuine server message per event and per Vapi credential (Bearer Token,
// HMAC, legacy X-Vapi-Secret) starts one execution with the normalised fields; forged, stale,
// future and tampered ones get 401 and start nothing; a retry of a report runs once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { deliver, expectExecutions, n8nWithTriggers, onlyExecutionItem as onlyItem } from './deliveries';
import type { N8n } from './harness';
import { triggerOnly } from './workflows';
import { nowSeconds, signVapiHmac, type Headers } from '../support/sign';

const SECRET = 'vapi-e2e-secret-9c4f1a7e2b6d';
const FIXTURES = join(__dirname, '..', 'fixtures', 'vapi');

const WORKFLOWS = {
	// Verification left at the platform's default: Bearer Token.
	bearer: triggerOnly('wfVapiBearer001', 'vapi-bearer', { platform: 'vapi' }),
	hmac: triggerOnly('wfVapiHmac00001', 'vapi-hmac', { platform: 'vapi', verification: 'vapiHmac' }),
	legacy: triggerOnly('wfVapiSecret001', 'vapi-secret', { platform: 'vapi', verification: 'vapiSecret' }),
	refused: triggerOnly('wfVapiRefused01', 'vapi-refused', { platform: 'vapi', verification: 'vapiHmac' }),
	refusedBearer: triggerOnly('wfVapiRefusedB1', 'vapi-refused-bearer', { platform: 'vapi' }),
	retried: triggerOnly('wfVapiRetried01', 'vapi-retried', { platform: 'vapi', verification: 'vapiHmac' }),
	other: triggerOnly('wfVapiOther0001', 'vapi-other', { platform: 'vapi', events: ['*'] }),
	// Events left at Vapi's default: the call's lifecycle only.
	defaults: triggerOnly('wfVapiDefault01', 'vapi-defaults', { platform: 'vapi' }),
	endedOnly: triggerOnly('wfVapiEnded0001', 'vapi-ended', { platform: 'vapi', events: ['session.ended'] }),
};

type Message = Record<string, unknown> & { call: Record<string, unknown> };
/** A fixture as a fresh object, its call id made unique to this run (so no test sees another's id). */
function serverMessage(name: string, callId: string): { message: Message } {
	const payload = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as { message: Message };
	payload.message.call.id = callId;
	return payload;
}

let n8n: N8n;
const run = `${process.pid}-${Date.now()}`;

const post = (path: string, body: string, headers: Headers) => deliver(n8n, path, body, headers);
const onlyExecutionItem = (workflowId: string) => onlyItem(n8n, workflowId);

/** A genuine end-of-call report of a call of its own, with the given headers: it must start one execution. */
const genuineReport = (path: string, name: string, sign: (body: string) => Headers) => () => {
	const body = JSON.stringify(serverMessage('end-of-call-report', `call-${name}-${run}`));
	return post(path, body, sign(body));
};

const guarded = n8nWithTriggers(Object.values(WORKFLOWS), SECRET, (started) => (n8n = started));

describe('genuine server messages start one execution with normalised fields', () => {
	guarded('end-of-call-report, Bearer Token (the default)', async () => {
		const callId = `call-report-${run}`;
		const payload = serverMessage('end-of-call-report', callId);
		const body = JSON.stringify(payload);
		const answer = await post('vapi-bearer', body, { authorization: `Bearer ${SECRET}` });
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const { item, detail } = await onlyExecutionItem(WORKFLOWS.bearer.id);
		expect(item).toMatchObject({
			provider: 'vapi',
			event: 'session.ended',
			eventType: 'end-of-call-report',
			deliveryId: `${callId}:end-of-call-report`,
			sessionId: callId,
			agentId: 'a7d4e1c2-5b3f-4e8a-b9c6-2f1e0d9c8b7a',
			direction: 'inbound',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: '2025-06-12T14:07:59.204Z',
			durationSeconds: 271.692,
			summary: expect.stringMatching(/^Dana Whitfield called to renew her Pro plan/),
			resolution: 'successful', // Vapi's PassFail "true", in Retell's words
			sentiment: null,
			extracted: {
				customerName: 'Dana Whitfield',
				accountNumber: 'ACC-558120',
				plan: 'Pro',
				renewalDate: '2025-06-28',
				discountPercent: 15,
				followUpRequired: true,
			},
			variables: { crmContactId: '0035g00000XyZabAAB', taskId: 'T-20931' },
			transcript: [
				{ role: 'assistant', text: 'Thanks for calling Northwind, this is Ava. How can I help?', at: '2025-06-12T14:03:28.120Z' },
				{ role: 'user', text: "Hi, I'd like to renew my Pro plan before it runs out.", at: '2025-06-12T14:03:32.900Z' },
				{ role: 'assistant', text: 'Of course. I can renew it today with your 15% loyalty discount.', at: '2025-06-12T14:03:37.200Z' },
			],
			recordingUrl: 'https://storage.vapi.ai/6f2b1c4e-93a7-4d0e-b8f5-2a1c9e7d4b30-1749737279204-recording.wav',
			endedReason: 'customer-ended-call',
			raw: payload,
		});
		expect(item.warnings).toBeUndefined();
		// Nothing consumed for authentication is stored with the execution.
		expect(JSON.stringify(detail)).not.toContain(SECRET);
	});

	guarded('status-update in-progress, HMAC → session.started', async () => {
		const callId = `call-started-${run}`;
		const body = JSON.stringify(serverMessage('status-update.in-progress', callId));
		const answer = await post('vapi-hmac', body, signVapiHmac(body, SECRET));
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const { item, detail } = await onlyExecutionItem(WORKFLOWS.hmac.id);
		expect(item).toMatchObject({
			provider: 'vapi',
			event: 'session.started',
			eventType: 'status-update',
			deliveryId: `${callId}:status-update:in-progress`,
			sessionId: callId,
			direction: 'inbound',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: null,
			variables: { crmContactId: '0035g00000XyZabAAB', taskId: 'T-20931' },
		});
		expect(JSON.stringify(detail)).not.toContain(SECRET);
	});

	guarded('status-update ended, legacy X-Vapi-Secret → session.updated', async () => {
		const callId = `call-ended-${run}`;
		const body = JSON.stringify(serverMessage('status-update.ended', callId));
		const answer = await post('vapi-secret', body, { 'x-vapi-secret': SECRET });
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const { item } = await onlyExecutionItem(WORKFLOWS.legacy.id);
		expect(item).toMatchObject({
			event: 'session.updated',
			sessionId: callId,
			direction: 'outbound',
			from: '+14155550100',
			to: '+14155550177',
			endedAt: '2025-06-12T16:24:41.204Z',
			endedReason: 'customer-ended-call',
			variables: { crmContactId: '0035g00000AbCdeFGH' },
		});
	});
});

describe('forged, stale, future and tampered messages get 401 and start nothing', () => {
	const body = JSON.stringify(serverMessage('end-of-call-report', `call-refused-${run}`));
	const cases: Array<[string, string, () => Headers, string, string]> = [
		['HMAC with a wrong secret', 'vapi-refused', () => signVapiHmac(body, 'another-secret-of-enough-length'), body, 'signature mismatch'],
		['HMAC signed an hour ago', 'vapi-refused', () => signVapiHmac(body, SECRET, nowSeconds() - 3600), body, 'timestamp too old'],
		['HMAC signed an hour ahead', 'vapi-refused', () => signVapiHmac(body, SECRET, nowSeconds() + 3600), body, 'timestamp in the future'],
		['HMAC over another body', 'vapi-refused', () => signVapiHmac(body, SECRET), body.replace('"true"', '"false"'), 'signature mismatch'],
		['HMAC headers missing', 'vapi-refused', () => ({}), body, 'missing signature headers'],
		['Bearer with a wrong token', 'vapi-refused-bearer', () => ({ authorization: 'Bearer another-secret-of-enough-length' }), body, 'secret mismatch'],
		['no Authorization header', 'vapi-refused-bearer', () => ({ 'x-vapi-secret': SECRET }), body, 'missing authorization header'],
	];
	for (const [name, path, headers, sent, reason] of cases) {
		guarded(`${name} → 401 ${reason}`, async () => {
			const answer = await post(path, sent, headers());
			expect(answer.status).toBe(401);
			expect(answer.json?.reason).toBe(reason);
			expect(answer.text).not.toContain(SECRET);
		});
	}

	guarded('no execution for any of them', async () => {
		const hmacSigned = genuineReport('vapi-refused', 'after-refused', (body) => signVapiHmac(body, SECRET));
		await expectExecutions(n8n, WORKFLOWS.refused.id, 0, hmacSigned);
		const bearer = genuineReport('vapi-refused-bearer', 'after-refused-bearer', () => ({ authorization: `Bearer ${SECRET}` }));
		await expectExecutions(n8n, WORKFLOWS.refusedBearer.id, 0, bearer);
	});
});

// Limitation: messages that wait for a JSON answer get the trigger's own 200, never the workflow's reply.
describe('messages that expect a JSON answer pass as unknown events', () => {
	const toolCalls = (callId: string) =>
		JSON.stringify({
			message: {
				type: 'tool-calls',
				call: { id: callId },
				toolCallList: [{ id: 'abc123', name: 'sendEmail', parameters: { emailAddress: 'john@example.com', message: 'Hi!' } }],
			},
		});

	guarded('with the default Events (call lifecycle): tool-calls and speech-update 200 ignored, no execution', async () => {
		for (const body of [toolCalls(`call-tools-default-${run}`), JSON.stringify({ message: { type: 'speech-update', status: 'started', role: 'user', call: { id: `call-speech-${run}` } } })]) {
			expect(await post('vapi-defaults', body, { authorization: `Bearer ${SECRET}` })).toMatchObject({ status: 200, json: { status: 'ignored' } });
		}
		const report = genuineReport('vapi-defaults', 'after-defaults', () => ({ authorization: `Bearer ${SECRET}` }));
		const { item } = await expectExecutions(n8n, WORKFLOWS.defaults.id, 0, report);
		expect(item).toMatchObject({ event: 'session.ended' });
	});

	guarded('with All Events, tool-calls: 200 accepted, one execution with the event as Vapi names it', async () => {
		const body = toolCalls(`call-tools-${run}`);
		expect(await post('vapi-other', body, { authorization: `Bearer ${SECRET}` })).toMatchObject({
			status: 200,
			json: { status: 'accepted' },
		});
		const { item } = await onlyExecutionItem(WORKFLOWS.other.id);
		expect(item).toMatchObject({ event: 'tool-calls', eventType: 'tool-calls', deliveryId: null, summary: null });
	});

	guarded('with Events set to Session Ended: 200 ignored, no execution', async () => {
		const body = toolCalls(`call-tools-ignored-${run}`);
		expect(await post('vapi-ended', body, { authorization: `Bearer ${SECRET}` })).toMatchObject({
			status: 200,
			json: { status: 'ignored', event: 'tool-calls' },
		});
		const ended = genuineReport('vapi-ended', 'after-ignored', () => ({ authorization: `Bearer ${SECRET}` }));
		const { item } = await expectExecutions(n8n, WORKFLOWS.endedOnly.id, 0, ended);
		expect(item).toMatchObject({ event: 'session.ended' });
	});
});

describe('a retried report runs once', () => {
	guarded('the same end-of-call-report, signed again later, is a duplicate', async () => {
		const callId = `call-retried-${run}`;
		const payload = serverMessage('end-of-call-report', callId);
		const first = JSON.stringify(payload);
		expect(await post('vapi-retried', first, signVapiHmac(first, SECRET))).toMatchObject({
			status: 200,
			json: { status: 'accepted' },
		});
		await n8n.waitForExecutions(WORKFLOWS.retried.id, 1);
		// Vapi's backoffPlan retry: a new timestamp (and new presigned URLs), the same call and report.
		payload.message.timestamp = Number(payload.message.timestamp) + 5000;
		const retry = JSON.stringify(payload);
		expect(await post('vapi-retried', retry, signVapiHmac(retry, SECRET, nowSeconds() + 1))).toMatchObject({
			status: 200,
			json: { status: 'duplicate', deliveryId: `${callId}:end-of-call-report` },
		});
		await new Promise((done) => setTimeout(done, 1500));
		const { item } = await onlyExecutionItem(WORKFLOWS.retried.id);
		expect(item.deliveryId).toBe(`${callId}:end-of-call-report`);
	});
});
