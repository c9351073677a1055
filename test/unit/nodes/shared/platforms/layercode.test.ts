import type { IDataObject } from 'n8n-workflow';

import { fixture, fixtureNames } from '../../../helpers/fixtures';
import { layercode, layercodeInterruption, layercodeType } from '../../../../../nodes/shared/platforms/layercode';

const SESSION = 'sess_01JXK3M9V4Q7ZP2N8R6T5W1Y0C';
const CONVERSATION = 'conv_01JXK3KZ8D6F4H2J0L9N7Q5S3U';
const CUSTOM = { crmContactId: '0035g00000XyZabAAB', plan: 'pro' };

/** Every field a Layercode parse fills, with its "absent" value. */
const EMPTY = {
	eventType: null,
	sessionId: null,
	conversationId: null,
	turnId: null,
	agentId: null,
	text: null,
	from: null,
	to: null,
	startedAt: null,
	endedAt: null,
	durationSeconds: null,
	variables: {},
	transcript: null,
	recordingUrl: null,
	interruption: null,
};

describe('Layercode fixtures: event names, stream expectation, no warnings', () => {
	test.each([
		['layercode/message', 'turn.message', true],
		['layercode/message.interrupted', 'turn.message', true],
		['layercode/session.start', 'turn.welcome', true],
		['layercode/data', 'client.data', false],
		['layercode/session.update', 'session.updated', false],
		['layercode/session.update.failed', 'session.updated', false],
		['layercode/session.end', 'session.ended', false],
		['layercode/session.end.iso-timestamps', 'session.ended', false],
		['layercode/legacy.MESSAGE', 'turn.message', true],
		['layercode/legacy.SESSION_START', 'turn.welcome', true],
		['layercode/session-webhook.session.start', 'session.started', false],
	])('%s → %s (stream: %s)', (name, event, expectsStream) => {
		const parsed = layercode.parse(fixture(name));
		expect({ event: parsed.event, expectsStream: parsed.expectsStream }).toEqual({ event, expectsStream });
	});

	test('only `data` waits for the workflow\'s JSON reply', () => {
		for (const name of fixtureNames('layercode')) {
			expect([name, layercode.parse(fixture(name)).expectsJsonReply]).toEqual([name, name === 'layercode/data']);
		}
		expect(layercode.parse({ ...fixture('layercode/data'), type: 'DATA' }).expectsJsonReply).toBe(true);
	});

	// The older shapes are documented too (upper-case type, connection_id instead of session_id).
	test.each(fixtureNames('layercode'))('%s parses without warnings', (name) => {
		expect(layercode.parse(fixture(name)).warnings).toEqual([]);
	});
});

describe('Layercode: fields per event', () => {
	test('message', () => {
		expect(layercode.parse(fixture('layercode/message')).fields).toEqual({
			...EMPTY,
			eventType: 'message',
			sessionId: SESSION,
			conversationId: CONVERSATION,
			turnId: 'turn_01JXK3N2B5C8E1G4I7K0M3P6R9',
			text: "Hi, I'd like to check the status of my order. The number is 4 8 1 5 2.",
			variables: CUSTOM,
		});
	});

	test('message after an interruption, on a phone call', () => {
		const parsed = layercode.parse(fixture('layercode/message.interrupted'));
		expect(parsed.fields).toEqual({
			...EMPTY,
			eventType: 'message',
			sessionId: SESSION,
			conversationId: CONVERSATION,
			turnId: 'turn_01JXK3Q8D1F4H7J0L3N6Q9S2U5',
			text: 'Sorry, no, the delivery address is the problem, not the date.',
			from: '+14155550123',
			to: '+14155550100',
			variables: CUSTOM,
			interruption: {
				previousTurnInterrupted: true,
				wordsHeard: 9,
				textHeard: 'Your order 48152 is out for delivery and should arrive',
				assistantTurnId: 'turn_01JXK3N2B5C8E1G4I7K0M3P6R9',
			},
		});
	});

	test('session.start carries the welcome turn id', () => {
		expect(layercode.parse(fixture('layercode/session.start')).fields).toEqual({
			...EMPTY,
			eventType: 'session.start',
			sessionId: SESSION,
			conversationId: CONVERSATION,
			turnId: 'turn_01JXK3M9W7Y0A3C6E9G2J5L8N1',
			from: '+14155550123',
			to: '+14155550100',
			variables: CUSTOM,
		});
	});

	test('data', () => {
		expect(layercode.parse(fixture('layercode/data')).fields).toEqual({
			...EMPTY,
			eventType: 'data',
			sessionId: SESSION,
			conversationId: CONVERSATION,
			turnId: 'turn_01JXK3P4C7E0G3J6L9N2Q5S8U1',
			variables: CUSTOM,
		});
	});

	test('session.update (recording completed)', () => {
		expect(layercode.parse(fixture('layercode/session.update')).fields).toMatchObject({
			eventType: 'session.update',
			sessionId: SESSION,
			conversationId: CONVERSATION,
			turnId: null,
			recordingUrl:
				'https://api.layercode.com/v1/agents/ag_7HX2Q9/sessions/sess_01JXK3M9V4Q7ZP2N8R6T5W1Y0C/recording',
			transcript: null,
		});
	});

	test('session.update (recording failed)', () => {
		expect(layercode.parse(fixture('layercode/session.update.failed')).fields).toMatchObject({
			eventType: 'session.update',
			recordingUrl: null,
		});
	});

	test('session.end with Unix-ms transcript timestamps', () => {
		expect(layercode.parse(fixture('layercode/session.end')).fields).toEqual({
			...EMPTY,
			eventType: 'session.end',
			sessionId: SESSION,
			conversationId: CONVERSATION,
			agentId: 'ag_7HX2Q9',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: '2025-06-12T14:06:32.132Z',
			durationSeconds: 184.62,
			variables: CUSTOM,
			transcript: [
				{ role: 'assistant', text: 'Hi, thanks for calling Acme. How can I help?', at: '2025-06-12T14:03:28.100Z' },
				{
					role: 'user',
					text: "Hi, I'd like to check the status of my order. The number is 4 8 1 5 2.",
					at: '2025-06-12T14:03:34.950Z',
				},
				{
					role: 'assistant',
					text: 'One moment, let me look that up. Your order 48152 is out for delivery and should arrive',
					at: '2025-06-12T14:03:36.230Z',
				},
				{
					role: 'user',
					text: 'Sorry, no, the delivery address is the problem, not the date.',
					at: '2025-06-12T14:03:41.480Z',
				},
				{ role: 'assistant', text: 'Understood. What address should we deliver to instead?', at: '2025-06-12T14:03:42.710Z' },
			],
		});
	});

	test('session.end with ISO transcript timestamps and null metrics', () => {
		const fields = layercode.parse(fixture('layercode/session.end.iso-timestamps')).fields;
		expect(fields).toMatchObject({ durationSeconds: null, startedAt: '2025-06-12T15:20:00.000Z', endedAt: '2025-06-12T15:20:41.250Z' });
		expect(fields.transcript).toEqual([
			{ role: 'assistant', text: 'Hello! Ask me anything about your account.', at: '2025-06-12T15:20:00.900Z' },
			{ role: 'user', text: "What's my current balance?", at: '2025-06-12T15:20:06.300Z' },
			{ role: 'assistant', text: 'Your balance is 42 dollars and 10 cents.', at: '2025-06-12T15:20:08.050Z' },
		]);
	});

	test('transcript entries are always {role, text, at} with an ISO (or null) time', () => {
		for (const name of ['layercode/session.end', 'layercode/session.end.iso-timestamps']) {
			for (const entry of layercode.parse(fixture(name)).fields.transcript ?? []) {
				expect(Object.keys(entry).sort()).toEqual(['at', 'role', 'text']);
				expect(entry.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			}
		}
	});

	test('a transcript entry without a timestamp gets at: null', () => {
		const payload = fixture('layercode/session.end');
		payload.transcript = [{ role: 'USER', text: 'hi' }];
		expect(layercode.parse(payload).fields.transcript).toEqual([{ role: 'user', text: 'hi', at: null }]);
	});

	test('older deliveries: connection_id is the session id, metadata the custom metadata', () => {
		expect(layercode.parse(fixture('layercode/legacy.MESSAGE')).fields).toEqual({
			...EMPTY,
			eventType: 'MESSAGE',
			sessionId: 'conn_8f3a1c6e2b9d4f7a',
			turnId: 'turn_5d2b8e1a7c4f',
			text: 'Can you tell me my balance?',
			variables: { crmContactId: '0035g00000XyZabAAB' },
		});
		expect(layercode.parse(fixture('layercode/legacy.SESSION_START')).fields).toMatchObject({
			eventType: 'SESSION_START',
			sessionId: 'conn_8f3a1c6e2b9d4f7a',
			turnId: 'turn_3a9c6f2e8b1d',
		});
	});

	test('custom_metadata wins over metadata when both are sent', () => {
		const payload = { ...fixture('layercode/message'), metadata: { old: true } };
		expect(layercode.parse(payload).fields.variables).toEqual(CUSTOM);
	});
});

describe('Layercode: event names', () => {
	test.each([
		['MESSAGE', 'turn.message', true],
		['SESSION_START', 'turn.welcome', true],
		['DATA', 'client.data', false],
		['SESSION_UPDATE', 'session.updated', false],
		['SESSION_END', 'session.ended', false],
	])('upper-case %s → %s', (type, event, expectsStream) => {
		const parsed = layercode.parse({ ...fixture('layercode/message'), type });
		expect(parsed.event).toBe(event);
		expect(parsed.expectsStream).toBe(expectsStream);
		expect(parsed.fields.eventType).toBe(type);
	});

	test('layercodeType normalises the older spelling', () => {
		expect(layercodeType('SESSION_START')).toBe('session.start');
		expect(layercodeType('session.start')).toBe('session.start');
	});

	test.each(['session.transfer', 'user.interrupted', 'agent.handoff'])(
		'an unknown name (%s) passes through, expects no stream, no warnings',
		(type) => {
			const parsed = layercode.parse({ type, session_id: SESSION });
			expect(parsed).toMatchObject({ event: type, expectsStream: false, warnings: [] });
		},
	);

	// Bug: layercodeType() rewrites every name (lower-case, `_` → `.`), not only the older
	// upper-case spellings of known events, so an unknown name is not passed through as sent.
	test('an unknown name with an underscore passes through as sent', () => {
		expect(layercode.parse({ type: 'user_interrupted', session_id: SESSION }).event).toBe('user_interrupted');
	});

	test('no type → "unknown", no stream', () => {
		const parsed = layercode.parse({ session_id: SESSION });
		expect(parsed).toMatchObject({ event: 'unknown', expectsStream: false });
	});
});

describe('Layercode: lenient parsing', () => {
	test('extra keys are accepted without warnings', () => {
		const payload = { ...fixture('layercode/message'), language: 'en-US', agent_id: 'ag_1', future: { nested: [1, 2] } };
		const parsed = layercode.parse(payload);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields.agentId).toBe('ag_1');
	});

	test('interruption_context: every part optional, extra parts accepted', () => {
		for (const context of [{}, { previous_turn_interrupted: true }, { words_heard: null, extra: 'x' }, null]) {
			const payload = { ...fixture('layercode/message.interrupted'), interruption_context: context };
			expect(layercode.parse(payload as IDataObject).warnings).toEqual([]);
		}
	});

	test('null optional fields are accepted', () => {
		const payload = {
			...fixture('layercode/session.end'),
			conversation_id: null,
			custom_metadata: null,
			from_phone_number: null,
			to_phone_number: null,
			duration: null,
			latency: null,
			country_code: null,
			transcript: null,
		};
		const parsed = layercode.parse(payload);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toMatchObject({ conversationId: null, variables: {}, from: null, durationSeconds: null, transcript: null });
	});

	test('message without text or turn_id → warnings, still parsed and still a stream', () => {
		const payload = fixture('layercode/message');
		delete payload.text;
		delete payload.turn_id;
		const parsed = layercode.parse(payload);
		expect(parsed.warnings).toEqual(['text: Required', 'turn_id: Required']);
		expect(parsed).toMatchObject({ event: 'turn.message', expectsStream: true });
		expect(parsed.fields).toMatchObject({ text: null, turnId: null, sessionId: SESSION });
	});

	test('session.start without turn_id: the session webhook\'s lifecycle event, no warning, no stream', () => {
		const payload = fixture('layercode/session.start');
		delete payload.turn_id;
		expect(layercode.parse(payload)).toMatchObject({ event: 'session.started', expectsStream: false, warnings: [] });
		for (const turnId of [null, 42 as unknown as string]) {
			// 42: asString reads a number as text, so it is a turn id like any other.
			const parsed = layercode.parse({ ...payload, turn_id: turnId });
			expect(parsed.event).toBe(turnId === null ? 'session.started' : 'turn.welcome');
		}
	});

	test('message without session_id (and no connection_id) → a warning', () => {
		const payload = fixture('layercode/message');
		delete payload.session_id;
		expect(layercode.parse(payload).warnings).toEqual(['session_id: Required']);
	});

	test('a transcript with broken items → warnings, no throw', () => {
		const payload = fixture('layercode/session.end');
		payload.transcript = ['hello', null, { role: 'user' }, { text: 'x', timestamp: 'garbage' }] as unknown as IDataObject[];
		const parsed = layercode.parse(payload);
		expect(parsed.warnings.length).toBeGreaterThan(0);
		expect(parsed.warnings.every((warning) => warning.startsWith('transcript.'))).toBe(true);
		expect(parsed.fields.transcript).toEqual([
			{ role: '', text: '', at: null },
			{ role: '', text: '', at: null },
			{ role: 'user', text: '', at: null },
			{ role: '', text: 'x', at: null },
		]);
	});

	test('wrong types → warnings with the path', () => {
		const payload = { ...fixture('layercode/session.end'), duration: '184620', transcript: 'none' };
		const parsed = layercode.parse(payload as IDataObject);
		expect(parsed.warnings).toEqual([expect.stringMatching(/^duration: /), expect.stringMatching(/^transcript: /)]);
		expect(parsed.fields).toMatchObject({ durationSeconds: null, transcript: null });
	});

	// The same bug as toIsoTime's: a timestamp outside the Date range makes parse() throw,
	// so the webhook answers 500 instead of passing the event on with a warning.
	test('an absurd transcript timestamp does not make parse throw', () => {
		const payload = fixture('layercode/session.end');
		payload.transcript = [{ role: 'user', text: 'hi', timestamp: 1e20 }];
		expect(() => layercode.parse(payload)).not.toThrow();
	});
});

describe('Layercode: interruption_context → interruption', () => {
	test('absent, null or not an object → null', () => {
		expect(layercode.parse(fixture('layercode/message')).fields.interruption).toBeNull();
		for (const value of [null, undefined, 'yes', 3, true, ['previous_turn_interrupted']]) {
			expect(layercodeInterruption(value)).toBeNull();
		}
	});

	test('every part optional: a missing part is null, never a made-up default', () => {
		expect(layercodeInterruption({})).toEqual({
			previousTurnInterrupted: null,
			wordsHeard: null,
			textHeard: null,
			assistantTurnId: null,
		});
		expect(layercodeInterruption({ previous_turn_interrupted: false, words_heard: 0 })).toEqual({
			previousTurnInterrupted: false,
			wordsHeard: 0,
			textHeard: null,
			assistantTurnId: null,
		});
	});

	test('parts of the wrong type are null; extra parts are left in raw only', () => {
		expect(
			layercodeInterruption({
				previous_turn_interrupted: 'true',
				words_heard: '9',
				text_heard: { words: 9 },
				assistant_turn_id: null,
				extra: 'x',
			}),
		).toEqual({ previousTurnInterrupted: null, wordsHeard: null, textHeard: null, assistantTurnId: null });
		expect(layercodeInterruption({ words_heard: Number.NaN })?.wordsHeard).toBeNull();
	});

	test('only the message carries it: other events leave it null', () => {
		for (const name of ['layercode/session.start', 'layercode/data', 'layercode/session.end', 'layercode/session.update']) {
			expect(layercode.parse(fixture(name)).fields.interruption).toBeNull();
		}
	});
});

describe('Layercode: the session webhook (pipeline session_webhook: session.start, session.end, session.update)', () => {
	// The same payloads as the agent webhook's (docs.layercode.com/api-reference/webhook-sse-api), sent
	// to a second URL. None of them waits for a stream or a reply: each is a lifecycle event.
	test('session.start without a turn → session.started, with the session, phones and metadata', () => {
		const parsed = layercode.parse(fixture('layercode/session-webhook.session.start'));
		expect(parsed).toMatchObject({ event: 'session.started', expectsStream: false, warnings: [] });
		expect(parsed.expectsJsonReply).toBeFalsy();
		expect(parsed.fields).toEqual({
			...EMPTY,
			eventType: 'session.start',
			sessionId: 'sess_01JXK4A2C5E8G1J4L7N0Q3S6U9',
			conversationId: 'conv_01JXK49Z7B0D3F6H9K2M5P8R1T',
			from: '+14155550123',
			to: '+14155550100',
			variables: { tenant_id: 't_42', crm_contact_id: 'abc-123' },
		});
	});

	test.each([
		['layercode/session.end', 'session.ended'],
		['layercode/session.update', 'session.updated'],
	])('%s → %s, answered without a stream or a reply', (name, event) => {
		const parsed = layercode.parse(fixture(name));
		expect(parsed).toMatchObject({ event, expectsStream: false, warnings: [] });
		expect(parsed.expectsJsonReply).toBeFalsy();
	});
});
