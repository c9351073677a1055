import { asNumber, asObject, asString, buildEvent, secondsBetween, toIsoTime, transcriptFrom, normalisedEvent, verdict, callParties, type EventFields } from '../../../../nodes/shared/VoiceAgentEvent';

/** Every key a platform module may fill in: the compiler complains here when one is added or removed. */
const FIELD_KEYS: Record<keyof Required<EventFields>, true> = {
	eventType: true,
	sessionId: true,
	conversationId: true,
	turnId: true,
	agentId: true,
	text: true,
	channel: true,
	platform: true,
	direction: true,
	from: true,
	to: true,
	startedAt: true,
	endedAt: true,
	durationSeconds: true,
	summary: true,
	intent: true,
	resolution: true,
	sentiment: true,
	extracted: true,
	variables: true,
	transcript: true,
	recordingUrl: true,
	endedReason: true,
	interruption: true,
};
/** Fields whose "absent" value is an empty object rather than null. */
const OBJECT_FIELDS = ['extracted', 'variables'];

const EVENT_KEYS = ['provider', 'event', 'deliveryId', 'raw', ...Object.keys(FIELD_KEYS)].sort();

describe('buildEvent', () => {
	test('has every key of VoiceAgentEvent; absent values are null (objects: {})', () => {
		const raw = { hello: 'world' };
		const event = buildEvent('agntix', 'session.started', {}, raw, null);
		expect(Object.keys(event).sort()).toEqual(EVENT_KEYS);
		for (const key of Object.keys(FIELD_KEYS)) {
			expect([key, event[key]]).toEqual([key, OBJECT_FIELDS.includes(key) ? {} : null]);
		}
		expect(event).toMatchObject({ provider: 'agntix', event: 'session.started', deliveryId: null, raw });
	});

	test('no `warnings` key unless the caller adds one', () => {
		expect(buildEvent('x', 'y', {}, {}, null)).not.toHaveProperty('warnings');
	});

	test('copies given fields, keeps falsy-but-present values, and keeps the delivery id', () => {
		const event = buildEvent(
			'layercode',
			'turn.message',
			{ text: '', durationSeconds: 0, transcript: [], sessionId: 's1', variables: { a: 1 } },
			{},
			'msg_1',
		);
		expect(event).toMatchObject({ text: '', durationSeconds: 0, transcript: [], sessionId: 's1', variables: { a: 1 } });
		expect(event.deliveryId).toBe('msg_1');
	});

	test('undefined fields become null, never undefined', () => {
		const event = buildEvent('x', 'y', { sessionId: undefined, extracted: undefined }, {}, null);
		expect(event.sessionId).toBeNull();
		expect(event.extracted).toEqual({});
		expect(Object.values(event)).not.toContain(undefined);
	});
});

describe('toIsoTime', () => {
	test.each([
		['Unix milliseconds', 1749737008100, '2025-06-12T14:03:28.100Z'],
		['Unix seconds', 1749737008, '2025-06-12T14:03:28.000Z'],
		['fractional Unix seconds', 1749719704.102, '2025-06-12T09:15:04.102Z'],
		['an ISO string', '2025-06-12T14:03:27.512Z', '2025-06-12T14:03:27.512Z'],
		['an ISO string with an offset', '2025-06-12T16:03:27+02:00', '2025-06-12T14:03:27.000Z'],
		['RFC 3339 with microseconds', '2025-06-12T14:03:27.512345Z', '2025-06-12T14:03:27.512Z'],
	])('%s → ISO', (_, value, expected) => {
		expect(toIsoTime(value)).toBe(expected);
	});

	test.each([
		['null', null],
		['undefined', undefined],
		['an empty string', ''],
		['garbage text', 'yesterday-ish'],
		['NaN', NaN],
		['Infinity', Infinity],
		['an object', { at: 1 }],
		['a boolean', true],
	])('%s → null', (_, value) => {
		expect(toIsoTime(value)).toBeNull();
	});

	// Bug: `new Date(ms).toISOString()` throws RangeError for numbers outside the Date range, so
	// a payload with such a timestamp makes the platform parser (and the webhook) throw.
	test('out-of-range numbers → null, not a throw', () => {
		for (const value of [1e20, -1e20, Number.MAX_SAFE_INTEGER, -1e13]) {
			expect(() => toIsoTime(value)).not.toThrow();
			expect(toIsoTime(value)).toBeNull();
		}
	});
});

describe('asString / asNumber / asObject', () => {
	test('asString keeps strings, stringifies numbers, rejects the rest', () => {
		expect(asString('a')).toBe('a');
		expect(asString('')).toBe('');
		expect(asString(42)).toBe('42');
		expect(asString(null)).toBeNull();
		expect(asString(undefined)).toBeNull();
		expect(asString({})).toBeNull();
		expect(asString(true)).toBeNull();
	});

	test('asNumber keeps finite numbers only', () => {
		expect(asNumber(0)).toBe(0);
		expect(asNumber(-1.5)).toBe(-1.5);
		expect(asNumber('1')).toBeNull();
		expect(asNumber(NaN)).toBeNull();
		expect(asNumber(Infinity)).toBeNull();
		expect(asNumber(null)).toBeNull();
	});

	test('asObject keeps plain objects only', () => {
		const value = { a: 1 };
		expect(asObject(value)).toBe(value);
		expect(asObject([1])).toEqual({});
		expect(asObject(null)).toEqual({});
		expect(asObject('x')).toEqual({});
		expect(asObject(undefined)).toEqual({});
	});
});

describe('durationSeconds computed from startedAt and endedAt', () => {
	const START = '2026-11-22T10:00:00.000Z';
	test.each([
		['whole seconds', START, '2026-11-22T10:04:12.000Z', 252],
		['fractional seconds', START, '2026-11-22T10:00:01.250Z', 1.25],
		['the same instant', START, START, 0],
		['time zones', '2026-11-22T11:00:00+01:00', '2026-11-22T10:00:30Z', 30],
		['Unix seconds and ISO', 1795341600, '2026-11-22T10:00:10.000Z', 10],
	])('%s', (_name, startedAt, endedAt, seconds) => {
		expect(secondsBetween(startedAt, endedAt)).toEqual({ seconds });
	});

	test.each([
		['no start', null, START],
		['no end', START, null],
		['both missing', undefined, undefined],
		['an unparsable start', 'yesterday-ish', START],
		['an unparsable end', START, 'not a time'],
		['an empty string', '', START],
		['an object', {}, START],
	])('null when %s, without a warning', (_name, startedAt, endedAt) => {
		expect(secondsBetween(startedAt, endedAt)).toEqual({ seconds: null });
	});

	test('an end before the start is null with a warning, never negative', () => {
		const result = secondsBetween('2026-11-22T10:04:12.000Z', START);
		expect(result.seconds).toBeNull();
		expect(result.warning).toMatch(/endedAt is before startedAt/);
	});

	test('buildEvent fills durationSeconds for any platform that sent both times and no duration', () => {
		for (const provider of ['agntix', 'layercode', 'speaknode', 'other']) {
			const event = buildEvent(provider, 'session.ended', { startedAt: START, endedAt: '2026-11-22T10:00:02.500Z' }, {}, null);
			expect(event.durationSeconds).toBe(2.5);
			expect(event).not.toHaveProperty('warnings');
		}
	});

	test("a duration the platform sent wins, even 0, even when the times disagree", () => {
		expect(buildEvent('x', 'y', { startedAt: START, endedAt: '2026-11-22T10:01:00.000Z', durationSeconds: 59.5 }, {}, null).durationSeconds).toBe(59.5);
		expect(buildEvent('x', 'y', { startedAt: START, endedAt: '2026-11-22T10:01:00.000Z', durationSeconds: 0 }, {}, null).durationSeconds).toBe(0);
		expect(buildEvent('x', 'y', { startedAt: '2026-11-22T10:01:00.000Z', endedAt: START, durationSeconds: 3 }, {}, null)).not.toHaveProperty('warnings');
	});

	test('buildEvent: reversed times give null and the warning in `warnings`; one time alone gives null', () => {
		const reversed = buildEvent('agntix', 'session.ended', { startedAt: '2026-11-22T10:01:00.000Z', endedAt: START }, {}, null);
		expect(reversed.durationSeconds).toBeNull();
		expect(reversed.warnings).toEqual([expect.stringMatching(/^durationSeconds: /)]);
		expect(buildEvent('agntix', 'session.started', { startedAt: START }, {}, null).durationSeconds).toBeNull();
	});
});

describe('transcriptFrom (the one transcript builder)', () => {
	const read = (entry: { role?: unknown; words?: unknown; t?: unknown }) => ({ role: entry.role, text: entry.words, at: entry.t });

	test('roles in lower case, times as ISO, missing parts as "" / null', () => {
		expect(
			transcriptFrom([{ role: 'USER', words: 'Hi', t: 1_700_000_000 }, { role: 'Agent', words: 42 }, {}], read),
		).toEqual([
			{ role: 'user', text: 'Hi', at: '2023-11-14T22:13:20.000Z' },
			{ role: 'agent', text: '42', at: null },
			{ role: '', text: '', at: null },
		]);
	});

	test('entries the reader leaves out (null) are skipped; no list at all is null, not []', () => {
		expect(transcriptFrom([{ role: 'tool' }, { role: 'user', words: 'x' }], (e) => (e.role === 'tool' ? null : read(e)))).toEqual([
			{ role: 'user', text: 'x', at: null },
		]);
		expect(transcriptFrom(undefined, read)).toBeNull();
		expect(transcriptFrom({ 0: 'x' }, read)).toBeNull();
		expect(transcriptFrom([], read)).toEqual([]);
	});

	test('entries that are not objects read as empty ones, never throw', () => {
		expect(transcriptFrom([null, 'x', 3, ['a']], read)).toEqual(Array.from({ length: 4 }, () => ({ role: '', text: '', at: null })));
	});
});

describe('the common vocabulary: normalisedEvent, verdict, callParties', () => {
	const names = new Map([['call_ended', 'session.ended']]);

	test('normalisedEvent: the mapped name, else as sent; empty or missing is "unknown"; prototype names pass as sent', () => {
		expect(normalisedEvent(names, 'call_ended')).toBe('session.ended');
		expect(normalisedEvent(names, 'call_later')).toBe('call_later');
		expect(normalisedEvent(names, '')).toBe('unknown');
		expect(normalisedEvent(names, null)).toBe('unknown');
		for (const name of ['constructor', '__proto__', 'toString']) expect(normalisedEvent(names, name)).toBe(name);
	});

	test('verdict: one pair of words for every platform', () => {
		expect([verdict(true), verdict(false)]).toEqual(['successful', 'unsuccessful']);
	});

	test('callParties: the customer calls in, or is called; any case; no direction counts as inbound', () => {
		expect(callParties('inbound', '+1555', '+1800')).toEqual({ from: '+1555', to: '+1800' });
		expect(callParties('OUTBOUND', '+1555', '+1800')).toEqual({ from: '+1800', to: '+1555' });
		expect(callParties('outbound', '+1555', null)).toEqual({ from: null, to: '+1555' });
		expect(callParties(null, '+1555', null)).toEqual({ from: '+1555', to: null });
	});
});
