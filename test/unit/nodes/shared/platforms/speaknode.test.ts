import type { IDataObject } from 'n8n-workflow';

import { fixture, fixtureNames } from '../../../helpers/fixtures';
import { speakNode } from '../../../../../nodes/shared/platforms/speaknode';

const SESSION = '9b2f7c1e-4d3a-4e6b-8f0a-5c1d2e3f4a5b';
const AGENT = 'e4c1b2a3-7d6f-4a5e-9b8c-0d1e2f3a4b5c';
const URL_PARAMETERS = { crm_contact_id: 'C-77120', ticket_id: 'TCK-40981' };

const withHistory = (history: unknown): IDataObject => {
	const payload = fixture('speaknode/ConversationComplete');
	(payload.data as IDataObject).history = history as IDataObject[];
	return payload;
};

describe('SpeakNode fixtures', () => {
	test.each([
		['speaknode/SessionStarted', 'session.started'],
		['speaknode/SessionStarted.documented-example', 'session.ended'],
		['speaknode/ConversationComplete', 'session.ended'],
		['speaknode/ConversationComplete.legacy-history', 'session.ended'],
	])('%s → %s, no stream', (name, event) => {
		const parsed = speakNode.parse(fixture(name));
		expect(parsed.event).toBe(event);
		expect(parsed.expectsStream).toBe(false);
	});

	test.each(fixtureNames('speaknode'))('%s parses without warnings', (name) => {
		expect(speakNode.parse(fixture(name)).warnings).toEqual([]);
	});
});

describe('SpeakNode: SessionStarted', () => {
	test('fields; an empty history is a valid (empty) transcript', () => {
		expect(speakNode.parse(fixture('speaknode/SessionStarted')).fields).toEqual({
			eventType: 'SessionStarted',
			sessionId: SESSION,
			agentId: AGENT,
			from: '+447700900123',
			to: '+442079460500',
			startedAt: '2025-06-12T09:15:02.640Z',
			durationSeconds: 0,
			variables: URL_PARAMETERS,
			transcript: [],
			recordingUrl: null,
		});
	});

	test('the documented example (event "ConversationComplete", empty history) is classified by its event value and not rejected', () => {
		const parsed = speakNode.parse(fixture('speaknode/SessionStarted.documented-example'));
		expect(parsed).toMatchObject({ event: 'session.ended', warnings: [] });
		expect(parsed.fields).toMatchObject({ eventType: 'ConversationComplete', transcript: [], sessionId: SESSION });
	});
});

describe('SpeakNode: ConversationComplete', () => {
	const parsed = speakNode.parse(fixture('speaknode/ConversationComplete'));

	test('fields', () => {
		expect(parsed.fields).toEqual({
			eventType: 'ConversationComplete',
			sessionId: SESSION,
			agentId: AGENT,
			from: '+447700900123',
			to: '+442079460500',
			startedAt: '2025-06-12T09:15:02.640Z',
			durationSeconds: 277.4,
			variables: URL_PARAMETERS,
			transcript: expect.any(Array),
			recordingUrl:
				'https://storage.speaknode.ai/recordings/9b2f7c1e-4d3a-4e6b-8f0a-5c1d2e3f4a5b.ogg?X-Amz-Expires=604800&X-Amz-Signature=3c5e8a',
		});
	});

	test('the transcript holds the spoken lines only: tool calls, tool output and handoffs are skipped', () => {
		expect(parsed.fields.transcript).toEqual([
			{
				role: 'system',
				text: "You are Acme's delivery support agent. Be brief and friendly.",
				at: '2025-06-12T09:15:03.071Z',
			},
			{
				role: 'assistant',
				text: 'Hi, this is Acme delivery support. How can I help you today?',
				at: '2025-06-12T09:15:03.912Z',
			},
			{
				role: 'user',
				text: 'Hi, my parcel was supposed to arrive yesterday. The order number is 4 8 1 5 2.',
				at: '2025-06-12T09:15:12.330Z',
			},
			{
				role: 'assistant',
				text: "I'm sorry, order 48152 was delayed at the depot. It's now due tomorrow, the 13th. Would you like me to book a specific time slot?",
				at: '2025-06-12T09:15:14.240Z',
			},
			{
				role: 'user',
				text: 'Yes, the morning please, and can someone check why it was late?',
				at: '2025-06-12T09:15:22.507Z',
			},
			{
				role: 'assistant',
				text: "Of course. I've booked tomorrow between 8 and 12, and opened a complaint so the depot explains the delay. Anything else?",
				at: '2025-06-12T09:15:25.876Z',
			},
			{ role: 'user', text: "No, that's all. Thanks!", at: '2025-06-12T09:15:34.020Z' },
		]);
	});

	test('start_time is preferred; created_at is the fallback', () => {
		const payload = fixture('speaknode/ConversationComplete');
		delete (payload.data as IDataObject).start_time;
		expect(speakNode.parse(payload).fields.startedAt).toBe('2025-06-12T09:15:02.118Z');
	});
});

describe('SpeakNode: older history shape', () => {
	test('content lists, text / message instead of content, timestamp in s, ms or ISO', () => {
		expect(speakNode.parse(fixture('speaknode/ConversationComplete.legacy-history')).fields.transcript).toEqual([
			{ role: 'assistant', text: "Hello, you've reached Acme. How can I help?", at: '2024-11-04T16:40:12.000Z' },
			{ role: 'user', text: 'I need to change my delivery address.', at: '2024-11-04T16:40:18.000Z' },
			{ role: 'assistant', text: 'Sure, what is the new address?', at: '2024-11-04T16:40:20.000Z' },
			{ role: 'user', text: '12 Harbour Street, Bristol.', at: '2024-11-04T16:40:27.000Z' },
		]);
	});

	test('a content list keeps its text parts only', () => {
		const parsed = speakNode.parse(
			withHistory([{ role: 'User', kind: 'Message', content: ['Hello', { type: 'audio' }, 'there'] }]),
		);
		expect(parsed.fields.transcript).toEqual([{ role: 'user', text: 'Hello there', at: null }]);
	});

	test('kind is matched case-insensitively; other kinds are skipped', () => {
		const parsed = speakNode.parse(
			withHistory([
				{ role: 'user', kind: 'message', content: 'a' },
				{ role: 'assistant', kind: 'function_call', tool_name: 'x', content: 'ignored' },
				{ role: 'assistant', kind: 'agent_handoff', content: 'ignored' },
				{ role: 'assistant', kind: 'MESSAGE', content: 'b' },
			]),
		);
		expect(parsed.fields.transcript).toEqual([
			{ role: 'user', text: 'a', at: null },
			{ role: 'assistant', text: 'b', at: null },
		]);
		expect(parsed.warnings).toEqual([]);
	});

	test('items without a role or any text are skipped', () => {
		const parsed = speakNode.parse(withHistory([{ kind: 'Message', content: 'who?' }, { role: 'User', kind: 'Message' }]));
		expect(parsed.fields.transcript).toEqual([]);
	});
});

describe('SpeakNode: event names', () => {
	test.each(['CallTransferred', 'VoicemailDetected', 'session.custom'])('an unknown event (%s) passes through as itself', (event) => {
		const payload = { ...fixture('speaknode/SessionStarted'), event };
		expect(speakNode.parse(payload)).toMatchObject({ event, expectsStream: false, warnings: [] });
	});

	test('no event → "unknown" and a warning', () => {
		const payload = fixture('speaknode/SessionStarted');
		delete payload.event;
		const parsed = speakNode.parse(payload);
		expect(parsed.event).toBe('unknown');
		expect(parsed.warnings).toEqual(['event: Required']);
	});
});

describe('SpeakNode: lenient parsing', () => {
	test('extra keys anywhere are accepted', () => {
		const payload = fixture('speaknode/ConversationComplete');
		Object.assign(payload, { delivered_at: '2025-06-12T09:20:00Z', version: 2 });
		Object.assign(payload.data as IDataObject, { language: 'en-GB', cost: { credits: 3 } });
		((payload.data as IDataObject).history as IDataObject[])[1].sentiment = 'neutral';
		expect(speakNode.parse(payload).warnings).toEqual([]);
	});

	test('null optional fields are accepted', () => {
		const payload = fixture('speaknode/ConversationComplete');
		Object.assign(payload.data as IDataObject, {
			audio_url: null,
			url_parameters: null,
			duration_seconds: null,
			from_number: null,
			history: null,
			test_eval_result: null,
		});
		const parsed = speakNode.parse(payload);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toMatchObject({ recordingUrl: null, variables: {}, durationSeconds: null, from: null, transcript: null });
	});

	test('no data envelope → a warning, nulls, no throw', () => {
		const parsed = speakNode.parse({ event: 'ConversationComplete' });
		expect(parsed.event).toBe('session.ended');
		expect(parsed.warnings).toEqual(['data: Required']);
		expect(parsed.fields).toMatchObject({ sessionId: null, transcript: null, variables: {} });
	});

	test('a history item that is not an object → a warning, skipped', () => {
		const parsed = speakNode.parse(withHistory(['hello', { role: 'User', kind: 'Message', content: 'hi' }]));
		expect(parsed.warnings).toEqual([expect.stringMatching(/^data\.history\.0: /)]);
		expect(parsed.fields.transcript).toEqual([{ role: 'user', text: 'hi', at: null }]);
	});

	test('wrong types → warnings with their path, what can be read still is', () => {
		const payload = fixture('speaknode/ConversationComplete');
		Object.assign(payload.data as IDataObject, { duration_seconds: '277', session_id: 12345 });
		const parsed = speakNode.parse(payload);
		expect(parsed.warnings).toEqual(
			expect.arrayContaining([expect.stringMatching(/^data\.duration_seconds: /), expect.stringMatching(/^data\.session_id: /)]),
		);
		expect(parsed.fields).toMatchObject({ durationSeconds: null, sessionId: '12345' });
	});
});
