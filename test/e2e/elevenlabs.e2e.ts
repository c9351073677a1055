// ElevenLabs Agents in a real n8n: a genuine post-call delivery per event starts one execution
// with the normalised fields; forged, stale, future, tampered and unsigned ones get 401 and start
// nothing; a copy of a delivery (ElevenLabs may re-send with retries on, signed anew) runs once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { deliver, executionItems, expectExecutions, n8nWithTriggers } from './deliveries';
import type { N8n } from './harness';
import { TRIGGER_VERSION, triggerOnly } from './workflows';
import { nowSeconds, signElevenLabs, type Headers } from '../support/sign';

// An ElevenLabs webhook secret is text used as the HMAC key as it is (the SDK does the same).
const SECRET = 'wsec_3c9e1f7a2b8d4c6e0f5a9b1d3e7c2f8a4b6d0e9c1f3a5b7d';
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'elevenlabs', `${name}.json`), 'utf8');

const WORKFLOWS = {
	elevenlabs: triggerOnly('wfElevenLabs001', 'elevenlabs', { platform: 'elevenlabs' }),
	// The audio event, which the trigger does not map: it passes under All Events.
	audio: triggerOnly('wfElevenLabsAud', 'elevenlabs-audio', { platform: 'elevenlabs' }),
	// Only for refused deliveries: it must never have an execution.
	refused: triggerOnly('wfElevenLabsBad', 'elevenlabs-refused', { platform: 'elevenlabs' }),
};

let n8n: N8n;

const post = (path: string, body: string, headers: Headers) => deliver(n8n, path, body, headers);
const items = (workflowId: string, count: number) => executionItems(n8n, workflowId, count);

/** A fixture's delivery for a conversation of its own, signed: it must start one execution. */
const genuine = (path: string, name: string, conversationId: string) => () => {
	const payload = JSON.parse(fixture(name)) as { data: { conversation_id: string } };
	payload.data.conversation_id = conversationId;
	const body = JSON.stringify(payload);
	return post(path, body, signElevenLabs(body, SECRET));
};

const guarded = n8nWithTriggers(Object.values(WORKFLOWS), SECRET, (started) => (n8n = started));

const transcription = fixture('post_call_transcription');
const failure = fixture('call_initiation_failure');

describe('genuine deliveries start one execution each, with the normalised fields', () => {
	guarded('post_call_transcription → session.ended', async () => {
		const headers = signElevenLabs(transcription, SECRET);
		// The header as ElevenLabs spells it; HTTP names are case-insensitive.
		const answer = await post('elevenlabs', transcription, { 'ElevenLabs-Signature': headers['elevenlabs-signature'] });
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const [{ item, detail }] = await items(WORKFLOWS.elevenlabs.id, 1);
		const stored = JSON.stringify(detail);
		expect(item).toMatchObject({
			provider: 'elevenlabs',
			event: 'session.ended',
			eventType: 'post_call_transcription',
			deliveryId: 'conv_8201kbx2p4c6e8g0j2l4n6q8s0:post_call_transcription',
			sessionId: 'conv_8201kbx2p4c6e8g0j2l4n6q8s0',
			conversationId: 'conv_8201kbx2p4c6e8g0j2l4n6q8s0',
			agentId: 'agent_4301kbx2m9e7f0qv8r6t5w1y3z',
			direction: 'inbound',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2026-11-22T08:00:00.000Z',
			endedAt: '2026-11-22T08:02:04.000Z',
			durationSeconds: 124,
			summary:
				'Ada asked to move her Tuesday cleaning to Friday. The agent rescheduled it to Friday 27 November at 10 am and emailed the confirmation.',
			resolution: 'successful',
			sentiment: null,
			extracted: { new_date: '2026-11-27', email: 'ada@example.com', wants_reminder: null },
			variables: { crm_contact_id: 'C-1001', task_id: 'T-7', user_name: 'Ada' },
			transcript: [
				{ role: 'assistant', text: 'Hi Ada, this is Riverside Dental. How can I help you today?', at: '2026-11-22T08:00:00.000Z' },
				{ role: 'user', text: 'I need to move my cleaning on Tuesday to Friday, please.', at: '2026-11-22T08:00:04.000Z' },
				{
					role: 'assistant',
					text: 'Done: your cleaning is now on Friday the 27th at 10 am. I sent the confirmation to ada@example.com.',
					at: '2026-11-22T08:00:12.500Z',
				},
			],
			recordingUrl: null,
			endedReason: 'Call ended by remote party',
			raw: JSON.parse(transcription),
		});
		expect(item.warnings).toBeUndefined();
		// Nothing consumed for authentication is stored with the execution.
		expect(stored).not.toContain(SECRET);
		expect(stored).not.toContain(headers['elevenlabs-signature'].split('v0=')[1]);
	});

	guarded('call_initiation_failure → session.failed', async () => {
		const answer = await post('elevenlabs', failure, signElevenLabs(failure, SECRET));
		expect(answer).toMatchObject({ status: 200, json: { status: 'accepted' } });

		const found = await items(WORKFLOWS.elevenlabs.id, 2);
		const failed = found.map(({ item }) => item).find((item) => item.event === 'session.failed');
		expect(failed).toMatchObject({
			provider: 'elevenlabs',
			eventType: 'call_initiation_failure',
			deliveryId: 'conv_8201kbx3c2e4g6j8l0n2q4s6:call_initiation_failure',
			sessionId: 'conv_8201kbx3c2e4g6j8l0n2q4s6',
			from: '+14155550100',
			to: '+14155550123',
			endedReason: 'busy',
			transcript: null,
			summary: null,
		});
	});

	guarded('a copy of a delivery, signed anew, is answered 200 duplicate and starts none', async () => {
		const copy = await post('elevenlabs', transcription, signElevenLabs(transcription, SECRET, nowSeconds() - 5));
		expect(copy).toMatchObject({
			status: 200,
			json: { status: 'duplicate', deliveryId: 'conv_8201kbx2p4c6e8g0j2l4n6q8s0:post_call_transcription' },
		});
		const later = genuine('elevenlabs', 'post_call_transcription', 'conv_after_the_copy');
		await expectExecutions(n8n, WORKFLOWS.elevenlabs.id, 2, later);
	});
});

describe('post_call_audio (base64 MP3), passed as sent', () => {
	guarded('a small one starts an execution with event post_call_audio and the ids', async () => {
		const audio = fixture('post_call_audio');
		expect(await post('elevenlabs-audio', audio, signElevenLabs(audio, SECRET))).toMatchObject({ status: 200, json: { status: 'accepted' } });
		const [{ item }] = await items(WORKFLOWS.audio.id, 1);
		expect(item).toMatchObject({
			event: 'post_call_audio',
			eventType: 'post_call_audio',
			sessionId: 'conv_8201kbx2p4c6e8g0j2l4n6q8s0',
			recordingUrl: null,
			raw: JSON.parse(audio),
		});
	});

	// A version-1.1 trigger (new on n8n 2.41+): n8n reads the body first and refuses it itself with
	// 500. Version 1 (new on n8n 1.x) reads it itself and answers 413.
	const refusal = TRIGGER_VERSION === 1 ? 413 : 500;
	guarded(`one over n8n’s request size limit (16 MiB by default) is refused (${refusal}) and starts nothing`, async () => {
		const payload = JSON.parse(fixture('post_call_audio')) as { data: { conversation_id: string; full_audio: string } };
		payload.data.conversation_id = 'conv_too_long_a_call';
		payload.data.full_audio = Buffer.alloc(13 * 1024 * 1024, 1).toString('base64'); // about 17 MiB of base64
		const body = JSON.stringify(payload);
		const answer = await post('elevenlabs-audio', body, signElevenLabs(body, SECRET));
		expect(answer.status).toBe(refusal);
		const later = genuine('elevenlabs-audio', 'post_call_audio', 'conv_after_the_long_call');
		await expectExecutions(n8n, WORKFLOWS.audio.id, 1, later);
	});
});

describe('refused deliveries get 401 and start nothing', () => {
	const cases: Array<[string, () => { body: string; headers: Headers }, string]> = [
		['forged (another secret)', () => ({ body: transcription, headers: signElevenLabs(transcription, 'wsec_not-the-secret-0123456789abcdef') }), 'signature mismatch'],
		['stale (an hour old)', () => ({ body: transcription, headers: signElevenLabs(transcription, SECRET, nowSeconds() - 3600) }), 'timestamp too old'],
		['from the future (an hour ahead)', () => ({ body: transcription, headers: signElevenLabs(transcription, SECRET, nowSeconds() + 3600) }), 'timestamp in the future'],
		['tampered body', () => ({ body: transcription.replace('2026-11-27', '2026-11-28'), headers: signElevenLabs(transcription, SECRET) }), 'signature mismatch'],
		['unsigned', () => ({ body: transcription, headers: {} }), 'missing signature header'],
		['signed as Stripe does (v1)', () => ({ body: transcription, headers: { 'elevenlabs-signature': signElevenLabs(transcription, SECRET)['elevenlabs-signature'].replace('v0=', 'v1=') } }), 'malformed signature header'],
	];
	for (const [name, make, reason] of cases) {
		guarded(`${name} → 401 (${reason})`, async () => {
			const { body, headers } = make();
			const answer = await post('elevenlabs-refused', body, headers);
			expect(answer.status).toBe(401);
			expect(answer.json).toEqual({ error: 'unauthorized', reason });
			expect(answer.text).not.toContain(SECRET);
		});
	}

	guarded('no execution for any of them', async () => {
		const later = genuine('elevenlabs-refused', 'post_call_transcription', 'conv_after_the_refused');
		await expectExecutions(n8n, WORKFLOWS.refused.id, 0, later);
	});
});
