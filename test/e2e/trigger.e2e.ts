// Voice Agent Trigger in a real n8n: genuine deliveries from every platform start exactly one
// execution with the normalised fields; bad input gets its status and starts nothing;
// concurrent and post-restart copies of one Agntix delivery start one execution.
import { deliver, expectExecutions, n8nWithTriggers, onlyExecutionItem as onlyItem } from './deliveries';
import type { N8n } from './harness';
import { triggerOnly } from './workflows';
import { bodyHmac, nowSeconds, signLayercode, signStandardWebhook, timestampedSignature, type Headers } from '../support/sign';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEAKNODE_HEADER = 'x-speaknode-signature';

const WORKFLOWS = {
	agntix: triggerOnly('wfAgntix0000001', 'agntix', { platform: 'agntix' }),
	// A workflow saved before version 1.1 (and what n8n 1.x gives a new trigger): still verified, still one execution.
	agntixVersion1: triggerOnly('wfAgntixV1Node1', 'agntix-v1', { platform: 'agntix' }, 1),
	// Version 1.1 (what n8n 2.41+ gives a new trigger), on either n8n line: n8n reads the body first.
	agntixVersion11: triggerOnly('wfAgntixV11Nod1', 'agntix-v11', { platform: 'agntix' }, 1.1),
	agntixStrict: triggerOnly('wfAgntixStrict1', 'agntix-strict', { platform: 'agntix', triggerOptions: { strictSchema: true } }),
	agntixEndedOnly: triggerOnly('wfAgntixEnded01', 'agntix-ended', { platform: 'agntix', events: ['session.ended'] }),
	// The same filter, for the event it ignores (the workflow above must have exactly one execution).
	agntixIgnores: triggerOnly('wfAgntixIgnore1', 'agntix-ignores', { platform: 'agntix', events: ['session.ended'] }),
	speaknode: triggerOnly('wfSpeakNode0001', 'speaknode', {
		platform: 'speaknode',
		verification: 'bodyHmac',
		signatureHeader: SPEAKNODE_HEADER,
	}),
	layercode: triggerOnly('wfLayercode0001', 'layercode', { platform: 'layercode' }),
	standard: triggerOnly('wfStandard00001', 'standard', { platform: 'other', verification: 'standardWebhooks' }),
	stripe: triggerOnly('wfStripeStyle01', 'stripe', {
		platform: 'other',
		verification: 'stripeStyle',
		signatureHeader: 'stripe-signature',
	}),
	hmac: triggerOnly('wfPlainHmac0001', 'hmac', {
		platform: 'other',
		verification: 'bodyHmac',
		signatureHeader: 'x-hub-signature-512',
		signatureAlgorithm: 'sha512',
		signatureEncoding: 'base64',
		signaturePrefix: 'sha512=',
		eventField: 'data.event',
	}),
};

const agntixEnded = {
	id: 'd2c1a1f0-5b7e-4c7a-9a51-3f1f1f1f0001',
	eventType: 'session.ended',
	type: 'VOICE',
	platform: 'PHONE',
	direction: 'INBOUND',
	state: 'CLOSED',
	agentId: 'agent_42',
	createdAt: '2026-11-22T10:00:00.000Z',
	lastActivityAt: '2026-11-22T10:04:10.000Z',
	endedAt: '2026-11-22T10:04:12.000Z',
	metadata: {
		customerPhoneNumber: '+15551234567',
		roomName: 'room-1',
		sessionVariables: { crmContactId: 'C-1001', taskId: 'T-7' },
	},
	analysis: {
		summary: 'The caller asked to move their appointment to Friday; it was moved.',
		intent: { conversation: { intent: 'reschedule_appointment', confidence: 0.93, explanation: 'asked to move' } },
		resolution: { classification: 'RESOLVED', confidenceScore: 0.9, status: 'done', satisfiedChecklistItems: [], evidence: [], explanation: 'moved' },
		sentiment: { conversation: { sentiment: 'POSITIVE', score: 0.7, detectedLanguage: 'en' } },
		extractedData: { newDate: '2026-11-27', email: 'ada@example.com' },
	},
};

let n8n: N8n;
let deliveryCounter = 0;
const freshId = () => `msg_e2e_${process.pid}_${++deliveryCounter}`;

const post = (path: string, body: string | Uint8Array, headers: Headers) => deliver(n8n, path, body, headers);
const onlyExecutionItem = (workflowId: string) => onlyItem(n8n, workflowId);

const guarded = n8nWithTriggers(Object.values(WORKFLOWS), SECRET, (started) => (n8n = started));

describe('genuine deliveries start one execution with normalised fields', () => {
	guarded('a trigger saved as version 1 (before 1.1) works as before', async () => {
		const body = JSON.stringify(agntixEnded);
		const forged = await post('agntix-v1', body, signStandardWebhook(body, 'whsec_' + Buffer.from('not the secret, 32 bytes long....').toString('base64'), { id: freshId() }));
		expect(forged.status).toBe(401);
		const answer = await post('agntix-v1', body, signStandardWebhook(body, SECRET, { id: freshId() }));
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const { item } = await onlyExecutionItem(WORKFLOWS.agntixVersion1.id);
		expect(item).toMatchObject({ provider: 'agntix', event: 'session.ended', sessionId: agntixEnded.id });
	});

	guarded('Agntix session.ended (Svix signature)', async () => {
		const body = JSON.stringify(agntixEnded);
		const deliveryId = freshId();
		const answer = await post('agntix', body, signStandardWebhook(body, SECRET, { id: deliveryId }));
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const { item, detail } = await onlyExecutionItem(WORKFLOWS.agntix.id);
		expect(item).toMatchObject({
			provider: 'agntix',
			event: 'session.ended',
			eventType: 'session.ended',
			deliveryId,
			sessionId: agntixEnded.id,
			agentId: 'agent_42',
			channel: 'VOICE',
			platform: 'PHONE',
			direction: 'INBOUND',
			from: '+15551234567',
			startedAt: '2026-11-22T10:00:00.000Z',
			endedAt: '2026-11-22T10:04:12.000Z',
			summary: agntixEnded.analysis.summary,
			intent: 'reschedule_appointment',
			resolution: 'RESOLVED',
			sentiment: 'POSITIVE',
			extracted: { newDate: '2026-11-27', email: 'ada@example.com' },
			variables: { crmContactId: 'C-1001', taskId: 'T-7' },
			raw: agntixEnded,
		});
		expect(item.warnings).toBeUndefined();
		// Nothing consumed for authentication is stored with the execution.
		const stored = JSON.stringify(detail);
		expect(stored).not.toContain(SECRET);
		expect(stored).not.toContain('svix-signature');
	});

	guarded('SpeakNode ConversationComplete (HMAC of the body)', async () => {
		const payload = {
			event: 'ConversationComplete',
			data: {
				session_id: '5f0c6a52-0000-4000-8000-000000000001',
				agent_id: '5f0c6a52-0000-4000-8000-0000000000aa',
				agent_name: 'Front desk',
				audio_url: 'https://cdn.example.com/rec.mp3',
				start_time: '2026-11-22T09:00:00Z',
				duration_seconds: 95,
				telecom_provider: 'Twilio',
				from_number: '+15550001111',
				to_number: '+15550002222',
				url_parameters: { crmContactId: 'C-2002' },
				history: [
					{ role: 'Assistant', content: 'Hello, how can I help?', kind: 'Message', created_at: '2026-11-22T09:00:01Z' },
					{ role: 'User', content: 'Book me for Friday.', kind: 'Message', created_at: '2026-11-22T09:00:05Z' },
					{ role: 'Assistant', kind: 'FunctionCall', tool_name: 'book', tool_arguments_json: '{"day":"fri"}' },
				],
			},
		};
		const body = JSON.stringify(payload);
		const answer = await post('speaknode', body, { [SPEAKNODE_HEADER]: bodyHmac(body, SECRET) });
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const { item } = await onlyExecutionItem(WORKFLOWS.speaknode.id);
		expect(item).toMatchObject({
			provider: 'speaknode',
			event: 'session.ended',
			eventType: 'ConversationComplete',
			sessionId: payload.data.session_id,
			from: '+15550001111',
			to: '+15550002222',
			durationSeconds: 95,
			recordingUrl: 'https://cdn.example.com/rec.mp3',
			variables: { crmContactId: 'C-2002' },
			transcript: [
				{ role: 'assistant', text: 'Hello, how can I help?', at: '2026-11-22T09:00:01.000Z' },
				{ role: 'user', text: 'Book me for Friday.', at: '2026-11-22T09:00:05.000Z' },
			],
		});
	});

	guarded('Layercode session.end (layercode-signature)', async () => {
		const payload = {
			type: 'session.end',
			session_id: 'sess_lc_1',
			conversation_id: 'conv_lc_1',
			agent_id: 'ag_lc',
			started_at: '2026-11-22T08:00:00.000Z',
			ended_at: '2026-11-22T08:02:00.000Z',
			duration: 120000,
			transcription_duration_seconds: null,
			tts_duration_seconds: null,
			latency: null,
			ip_address: '203.0.113.9',
			country_code: null,
			recording_status: 'enabled',
			custom_metadata: { crmContactId: 'C-3003' },
			transcript: [
				{ role: 'user', text: 'Hi there', timestamp: 1795334400000 },
				{ role: 'assistant', text: 'Hello!', timestamp: '2026-11-22T08:00:02.000Z' },
			],
		};
		const body = JSON.stringify(payload);
		const answer = await post('layercode', body, signLayercode(body, SECRET));
		expect(answer).toMatchObject({ status: 200, json: { status: 'ok' } });

		const { item } = await onlyExecutionItem(WORKFLOWS.layercode.id);
		expect(item).toMatchObject({
			provider: 'layercode',
			event: 'session.ended',
			sessionId: 'sess_lc_1',
			conversationId: 'conv_lc_1',
			agentId: 'ag_lc',
			durationSeconds: 120,
			variables: { crmContactId: 'C-3003' },
			transcript: [
				{ role: 'user', text: 'Hi there', at: new Date(1795334400000).toISOString() },
				{ role: 'assistant', text: 'Hello!', at: '2026-11-22T08:00:02.000Z' },
			],
		});
	});

	guarded('Standard Webhooks (webhook-* headers), Stripe-style and plain HMAC', async () => {
		const standardBody = JSON.stringify({ type: 'call.completed', call: { id: 'c1' } });
		const standardId = freshId();
		expect(
			await post('standard', standardBody, signStandardWebhook(standardBody, SECRET, { id: standardId, names: 'webhook' })),
		).toMatchObject({ status: 200 });
		const stripeBody = JSON.stringify({ type: 'call.started' });
		expect(
			await post('stripe', stripeBody, { 'stripe-signature': timestampedSignature(stripeBody, SECRET) }),
		).toMatchObject({ status: 200 });
		const hmacBody = JSON.stringify({ data: { event: 'recording.ready' } });
		expect(
			await post('hmac', hmacBody, { 'x-hub-signature-512': `sha512=${bodyHmac(hmacBody, SECRET, 'sha512', 'base64')}` }),
		).toMatchObject({ status: 200 });

		expect((await onlyExecutionItem(WORKFLOWS.standard.id)).item).toMatchObject({
			provider: 'other',
			event: 'call.completed',
			deliveryId: standardId,
		});
		expect((await onlyExecutionItem(WORKFLOWS.stripe.id)).item).toMatchObject({ event: 'call.started' });
		expect((await onlyExecutionItem(WORKFLOWS.hmac.id)).item).toMatchObject({ event: 'recording.ready' });
	});
});

describe('bad input is answered and starts nothing', () => {
	const body = JSON.stringify({ ...agntixEnded, id: 'bad-input-session' });
	const cases: Array<[string, () => { path: string; body: string; headers: Headers }, number, string]> = [
		['forged signature', () => ({ path: 'agntix-strict', body, headers: signStandardWebhook(body, 'whsec_' + Buffer.from('wrong-secret-000').toString('base64'), { id: freshId() }) }), 401, 'signature mismatch'],
		['unsigned', () => ({ path: 'agntix-strict', body, headers: {} }), 401, 'missing signature headers'],
		['stale timestamp', () => ({ path: 'agntix-strict', body, headers: signStandardWebhook(body, SECRET, { id: freshId(), timestamp: nowSeconds() - 3600 }) }), 401, 'timestamp too old'],
		['tampered body', () => ({ path: 'agntix-strict', body: body.replace('RESOLVED', 'UNRESOLVED'), headers: signStandardWebhook(body, SECRET, { id: freshId() }) }), 401, 'signature mismatch'],
		['invalid JSON sent as text/plain', () => ({ path: 'agntix-strict', body: '{"eventType":', headers: { ...signStandardWebhook('{"eventType":', SECRET, { id: freshId() }), 'content-type': 'text/plain' } }), 400, 'the body is not valid JSON'],
		['signed XML sent as application/xml', () => ({ path: 'agntix-strict', body: '<a/>', headers: { ...signStandardWebhook('<a/>', SECRET, { id: freshId() }), 'content-type': 'application/xml' } }), 400, 'the body is not valid JSON'],
		['a JSON array', () => ({ path: 'agntix-strict', body: '[1]', headers: signStandardWebhook('[1]', SECRET, { id: freshId() }) }), 400, 'the body is not a JSON object'],
	];
	for (const [name, make, status, reason] of cases) {
		guarded(`${name} → ${status}`, async () => {
			const request = make();
			const answer = await post(request.path, request.body, request.headers);
			expect(answer.status).toBe(status);
			expect(answer.json?.reason).toBe(reason);
			expect(answer.text).not.toContain(SECRET);
		});
	}

	// From version 1.1, n8n parses an application/json body itself before the trigger runs (as for
	// its own Webhook node from version 2), and answers a body that does not parse on its own.
	guarded("invalid JSON sent as application/json to a version-1.1 trigger → n8n's own 422, the trigger never runs", async () => {
		const answer = await post('agntix-v11', '{"eventType":', signStandardWebhook('{"eventType":', SECRET, { id: freshId() }));
		expect(answer.status).toBe(422);
		expect(answer.text).toContain('Failed to parse request body');
		expect(answer.text).not.toContain(SECRET);
	});

	guarded('invalid JSON to a version-1 trigger → 400 from the trigger', async () => {
		const answer = await post('agntix-v1', '{"eventType":', signStandardWebhook('{"eventType":', SECRET, { id: freshId() }));
		expect(answer).toMatchObject({ status: 400, json: { error: 'invalid_json', reason: 'the body is not valid JSON' } });
	});

	// Bodies n8n cannot read (hostile input; no platform sends them). A version-1 trigger reads the
	// body itself and answers; from 1.1 n8n reads a JSON body first, as for its own Webhook node,
	// and answers with its own 500 before any node runs.
	const unreadable: Array<[string, Uint8Array, Headers, number, string]> = [
		['broken gzip', Buffer.from('{"eventType":"session.ended"} is not gzip'), { 'content-encoding': 'gzip' }, 400, 'unreadable_body'],
		["a body over n8n's payload limit (17 MiB)", Buffer.alloc(17 * 1024 * 1024, 0x20), {}, 413, 'too_large'],
	];
	for (const [name, bytes, headers, status, error] of unreadable) {
		guarded(`${name}: version 1 → the trigger's ${status}; 1.1 → n8n's own 500; nothing runs`, async () => {
			const signed = { ...headers, ...signStandardWebhook('{}', SECRET, { id: freshId() }) };
			const version1 = await post('agntix-v1', bytes, signed);
			expect(version1).toMatchObject({ status, json: { error } });
			const version11 = await post('agntix-v11', bytes, signed);
			expect(version11.status).toBe(500);
			expect(version11.text).toContain('There was a problem executing the workflow');
			expect(version11.text).not.toContain(SECRET);
		});
	}

	guarded('signed but not the documented shape, strict → 422', async () => {
		const wrong = JSON.stringify({ eventType: 'session.ended', analysis: 'not an object' });
		const answer = await post('agntix-strict', wrong, signStandardWebhook(wrong, SECRET, { id: freshId() }));
		expect(answer.status).toBe(422);
		expect(answer.json?.problems).toEqual(expect.arrayContaining([expect.stringContaining('id')]));
	});

	guarded('no execution for any of them', async () => {
		const genuine = JSON.stringify({ ...agntixEnded, id: 'after-bad-input' });
		await expectExecutions(n8n, WORKFLOWS.agntixStrict.id, 0, () =>
			post('agntix-strict', genuine, signStandardWebhook(genuine, SECRET, { id: freshId() })),
		);
		await expectExecutions(n8n, WORKFLOWS.agntixVersion11.id, 0, () =>
			post('agntix-v11', genuine, signStandardWebhook(genuine, SECRET, { id: freshId() })),
		);
	});

	guarded('an event outside the filter → 200 ignored, no execution', async () => {
		const created = JSON.stringify({ ...agntixEnded, eventType: 'session.created', state: 'OPEN' });
		const answer = await post('agntix-ignores', created, signStandardWebhook(created, SECRET, { id: freshId() }));
		expect(answer).toMatchObject({ status: 200, json: { status: 'ignored', event: 'session.started' } });
		const ended = JSON.stringify({ ...agntixEnded, id: 'after-ignored' });
		const { item } = await expectExecutions(n8n, WORKFLOWS.agntixIgnores.id, 0, () =>
			post('agntix-ignores', ended, signStandardWebhook(ended, SECRET, { id: freshId() })),
		);
		expect(item).toMatchObject({ event: 'session.ended', sessionId: 'after-ignored' });
	});

	guarded('lenient mode delivers a departing payload with warnings', async () => {
		const odd = JSON.stringify({ eventType: 'session.ended', id: 'odd-1', analysis: { summary: 42 } });
		const answer = await post('agntix-ended', odd, signStandardWebhook(odd, SECRET, { id: freshId() }));
		expect(answer.status).toBe(200);
		const { item } = await onlyExecutionItem(WORKFLOWS.agntixEndedOnly.id);
		expect(item.summary).toBe('42'); // numbers are kept, as text
		expect(item.warnings).toEqual(['analysis.summary: Expected string, received number']);
	});
});

describe('de-duplication', () => {
	const workflowId = WORKFLOWS.agntix.id;
	const payload = { ...agntixEnded, id: 'dedup-session', eventType: 'session.created', state: 'OPEN' };
	const body = JSON.stringify(payload);
	const deliveryId = `msg_dedup_${Date.now()}`;

	guarded('5 concurrent copies of one delivery start one execution', async () => {
		const before = (await n8n.executions(workflowId)).length;
		const headers = signStandardWebhook(body, SECRET, { id: deliveryId });
		const answers = await Promise.all(Array.from({ length: 5 }, () => post('agntix', body, headers)));
		expect(answers.filter((a) => a.status === 200 && a.json?.status === 'accepted')).toHaveLength(1);
		// The others: already accepted (200 duplicate), or still being accepted (409: retry later,
		// so that a copy is never acknowledged before the execution exists).
		const others = answers.filter((a) => a.json?.status !== 'accepted');
		expect(others.map((a) => `${a.status} ${String(a.json?.status)}`).sort()).toEqual(
			others.map((a) => (a.status === 409 ? '409 in_progress' : '200 duplicate')).sort(),
		);
		expect(others).toHaveLength(4);
		await n8n.waitForExecutions(workflowId, before + 1);
		await new Promise((done) => setTimeout(done, 1500));
		expect(await n8n.executions(workflowId)).toHaveLength(before + 1);
	});

	guarded(
		'a copy sent after n8n restarted starts none; a new delivery still runs',
		async () => {
			const before = (await n8n.executions(workflowId)).length;
			await n8n.restart();
			// A retry is signed anew (new timestamp) but keeps its delivery id.
			const retry = await post('agntix', body, signStandardWebhook(body, SECRET, { id: deliveryId }));
			expect(retry).toMatchObject({ status: 200, json: { status: 'duplicate' } });
			const fresh = await post('agntix', body, signStandardWebhook(body, SECRET, { id: freshId() }));
			expect(fresh).toMatchObject({ status: 200, json: { status: 'accepted' } });
			await n8n.waitForExecutions(workflowId, before + 1);
			await new Promise((done) => setTimeout(done, 1500));
			expect(await n8n.executions(workflowId)).toHaveLength(before + 1);
		},
		300_000,
	);
});
