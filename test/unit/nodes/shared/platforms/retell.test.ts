import fc from 'fast-check';
import set from 'lodash/set';
import type { IDataObject } from 'n8n-workflow';
import { sign as sdkSign, symmetric, verify as sdkVerify } from 'retell-sdk/lib/webhook_auth';

import { fixture, fixtureNames, fixtureText } from '../../../helpers/fixtures';
import { signRetell } from '../../../../support/sign';
import { KNOWN_EVENTS } from '../../../../../nodes/shared/events';
import { platformById, PLATFORMS } from '../../../../../nodes/shared/platforms';
import { retell, retellTranscript, verifyRetellSignature } from '../../../../../nodes/shared/platforms/retell';
import type { VerificationSettings } from '../../../../../nodes/shared/verification/schemes';
import { buildEvent } from '../../../../../nodes/shared/VoiceAgentEvent';

const CALL = 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6';
const AGENT = 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD';
// metadata and dynamic variables both carry taskId: metadata (the caller's own ids) wins.
const VARIABLES = { customer_name: 'John Doe', taskId: 'T-7', crmContactId: '0035g00000XyZabAAB' };

/** Every field a Retell parse fills, with its "absent" value. */
const EMPTY = {
	eventType: null,
	sessionId: null,
	agentId: null,
	platform: null,
	direction: null,
	from: null,
	to: null,
	startedAt: null,
	endedAt: null,
	durationSeconds: null,
	summary: null,
	sentiment: null,
	resolution: null,
	extracted: {},
	variables: {},
	transcript: null,
	recordingUrl: null,
	endedReason: null,
};

const PHONE_CALL = {
	sessionId: CALL,
	agentId: AGENT,
	platform: 'phone_call',
	direction: 'inbound',
	from: '+15550100123',
	to: '+15550100100',
	startedAt: '2024-05-02T00:07:55.945Z',
	variables: VARIABLES,
};

const TRANSCRIPT = [
	{ role: 'assistant', text: 'Hi, thanks for calling Acme. How can I help?', at: '2024-05-02T00:07:56.645Z' },
	{ role: 'user', text: "I'd like to move my appointment to Friday.", at: '2024-05-02T00:08:00.195Z' },
	{ role: 'assistant', text: "Done: you're booked for Friday at 10 a.m.", at: '2024-05-02T00:08:04.045Z' },
	{ role: 'user', text: 'Great, thanks.', at: null },
];

const ENDED = {
	...PHONE_CALL,
	endedAt: '2024-05-02T00:08:11.736Z',
	durationSeconds: 15.791,
	transcript: TRANSCRIPT,
	recordingUrl: `https://retellai.s3.us-west-2.amazonaws.com/${CALL}/recording.wav`,
	endedReason: 'user_hangup',
};

describe('Retell fixtures: event names, no stream, no warnings', () => {
	test.each([
		['retell/call_started', 'session.started'],
		['retell/call_ended', 'session.ended'],
		['retell/call_ended.dial-no-answer', 'session.ended'],
		['retell/call_analyzed', 'session.analyzed'],
		['retell/call_analyzed.web-call-minimal', 'session.analyzed'],
	])('%s → %s', (name, event) => {
		const parsed = retell.parse(fixture(name));
		expect({ event: parsed.event, expectsStream: parsed.expectsStream, expectsJsonReply: parsed.expectsJsonReply }).toEqual({
			event,
			expectsStream: false,
			expectsJsonReply: undefined,
		});
	});

	test.each(fixtureNames('retell'))('%s parses without warnings', (name) => {
		expect(retell.parse(fixture(name)).warnings).toEqual([]);
	});

	test('every event the fixtures produce is a known event the platform lists', () => {
		const listed = retell.events.map((event) => event.value);
		for (const name of fixtureNames('retell')) {
			const { event } = retell.parse(fixture(name));
			expect(KNOWN_EVENTS.has(event)).toBe(true);
			expect(listed).toContain(event);
		}
	});

	test('the registry finds it, listed alphabetically between Layercode and SpeakNode', () => {
		expect(platformById('retell')).toBe(retell);
		const ids = PLATFORMS.map((platform) => platform.id);
		expect(ids.indexOf('retell')).toBe(ids.indexOf('layercode') + 1);
		expect(ids.indexOf('retell')).toBeLessThan(ids.indexOf('speaknode'));
	});
});

describe('Retell: fields per event', () => {
	test('call_started: the call, its parties, its start and the correlation ids', () => {
		expect(retell.parse(fixture('retell/call_started')).fields).toEqual({ ...EMPTY, eventType: 'call_started', ...PHONE_CALL });
	});

	test('call_ended: transcript with wall-clock times, recording, duration and why it ended; no analysis yet', () => {
		expect(retell.parse(fixture('retell/call_ended')).fields).toEqual({ ...EMPTY, eventType: 'call_ended', ...ENDED });
	});

	test('call_analyzed: call_analysis → summary, sentiment, resolution, extracted', () => {
		expect(retell.parse(fixture('retell/call_analyzed')).fields).toEqual({
			...EMPTY,
			eventType: 'call_analyzed',
			...ENDED,
			summary:
				'José called to move his appointment to Friday; the agent rebooked it for Friday at 10 a.m. and the caller was satisfied.',
			sentiment: 'Positive',
			resolution: 'successful',
			extracted: { new_date: '2024-05-03', appointment_booked: true, follow_up_email: 'jose@example.com' },
		});
	});

	test('call_analyzed of a web call without the optional blocks: what is missing stays null or empty', () => {
		expect(retell.parse(fixture('retell/call_analyzed.web-call-minimal')).fields).toEqual({
			...EMPTY,
			eventType: 'call_analyzed',
			sessionId: 'call_a4441234567890777c4a4a123e6',
			agentId: AGENT,
			platform: 'web_call',
			startedAt: '2023-12-23T03:33:27.333Z',
			endedAt: '2023-12-23T03:33:48.855Z',
			summary: 'The user asked about opening hours and ended the call.',
			sentiment: 'Neutral',
			endedReason: 'agent_hangup',
		});
	});

	test('without duration_ms the common item computes the duration from the timestamps', () => {
		const payload = fixture('retell/call_analyzed.web-call-minimal');
		const parsed = retell.parse(payload);
		expect(buildEvent('retell', parsed.event, parsed.fields, payload, null).durationSeconds).toBe(21.522);
	});

	test('call_ended of a call that never connected: no times, transcript or recording', () => {
		expect(retell.parse(fixture('retell/call_ended.dial-no-answer')).fields).toEqual({
			...EMPTY,
			eventType: 'call_ended',
			sessionId: 'call_6f2c01d9a4b84e7f93e5c1a2b3d4e5f6',
			agentId: AGENT,
			platform: 'phone_call',
			direction: 'outbound',
			from: '+15550100100',
			to: '+15550100188',
			variables: { crmContactId: '0035g00000XyZcdAAB', campaign: 'renewals-nov' },
			endedReason: 'dial_no_answer',
		});
	});

	test.each([
		[true, 'successful'],
		[false, 'unsuccessful'],
		[null, null],
		['true', null],
		[1, null],
	])('call_successful %j → resolution %j', (successful, resolution) => {
		const payload = fixture('retell/call_analyzed');
		set(payload, 'call.call_analysis.call_successful', successful);
		expect(retell.parse(payload).fields.resolution).toBe(resolution);
	});

	test('user_sentiment passes as Retell sends it, Unknown included', () => {
		const payload = fixture('retell/call_analyzed');
		set(payload, 'call.call_analysis.user_sentiment', 'Unknown');
		expect(retell.parse(payload).fields.sentiment).toBe('Unknown');
	});

	test('the older `data` envelope (Retell: "the data property is being deprecated") reads the same', () => {
		const current = fixture('retell/call_analyzed');
		const older = { event: current.event, data: current.call };
		const parsed = retell.parse(older);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toEqual(retell.parse(current).fields);
		expect(retell.deliveryId?.({}, older)).toBe(retell.deliveryId?.({}, current));
	});

	test('metadata that is not an object (Retell allows any JSON) leaves only the dynamic variables', () => {
		for (const metadata of ['cust_123', 42, ['a'], null]) {
			const payload = fixture('retell/call_started');
			set(payload, 'call.metadata', metadata);
			const parsed = retell.parse(payload);
			expect(parsed.warnings).toEqual([]);
			expect(parsed.fields.variables).toEqual({ customer_name: 'John Doe', taskId: 'from-prompt' });
		}
	});
});

describe('Retell: transcript_object → transcript', () => {
	test('agent speaks as assistant; other roles (transfer_target) pass in lower case', () => {
		const lines = [
			{ role: 'Agent', content: 'a', words: [] },
			{ role: 'transfer_target', content: 'b', words: [] },
			{ role: 'user', content: 'c' },
		];
		expect(retellTranscript(lines, null)).toEqual([
			{ role: 'assistant', text: 'a', at: null },
			{ role: 'transfer_target', text: 'b', at: null },
			{ role: 'user', text: 'c', at: null },
		]);
	});

	test('a line time needs both the call start and a numeric first-word offset', () => {
		const start = Date.parse('2024-05-02T00:00:00.000Z');
		expect(retellTranscript([{ role: 'user', content: 'x', words: [{ word: 'x', start: 1.5 }] }], start)).toEqual([
			{ role: 'user', text: 'x', at: '2024-05-02T00:00:01.500Z' },
		]);
		for (const words of [[{ word: 'x' }], [{ start: '1.5' }], 'x', [null], [{ start: 1e20 }]]) {
			expect(retellTranscript([{ role: 'user', content: 'x', words }], start)).toEqual([{ role: 'user', text: 'x', at: null }]);
		}
	});

	test('no transcript_object → null (the transcript string stays in raw)', () => {
		expect(retellTranscript(undefined, 1)).toBeNull();
		expect(retellTranscript('Agent: hi', 1)).toBeNull();
	});
});

describe('Retell: event names', () => {
	test.each(['transcript_updated', 'transfer_started', 'transfer_bridged', 'transfer_cancelled', 'transfer_ended', 'chat_ended'])(
		'a name without a normalised one (%s) passes through as sent, no stream, no warnings',
		(event) => {
			const parsed = retell.parse({ ...fixture('retell/call_ended'), event });
			expect(parsed).toMatchObject({ event, expectsStream: false, warnings: [] });
			expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		},
	);

	test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('a prototype name (%s) is an unknown event, passed on as sent', (event) => {
		// Through JSON, as a webhook body arrives: `__proto__` becomes an own key there.
		const payload = JSON.parse(JSON.stringify({ event, call: { call_id: 'c-1' } })) as IDataObject;
		const parsed = retell.parse(payload);
		expect(parsed.event).toBe(event);
		expect(parsed.fields.eventType).toBe(event);
		expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		expect(retell.deliveryId?.({}, payload)).toBeNull();
	});

	test('`__proto__` inside the call, metadata or analysis is an ordinary key', () => {
		const payload = JSON.parse(
			'{"event":"call_analyzed","call":{"call_id":"c-1","metadata":{"__proto__":{"polluted":1},"id":"m"},"call_analysis":{"custom_analysis_data":{"__proto__":"x"}}}}',
		) as IDataObject;
		const parsed = retell.parse(payload);
		expect(parsed.fields.variables).toEqual(JSON.parse('{"__proto__":{"polluted":1},"id":"m"}'));
		expect(({} as IDataObject).polluted).toBeUndefined();
		expect(Object.getPrototypeOf(parsed.fields.variables)).toBe(Object.prototype);
	});

	test('no event → "unknown" and a warning', () => {
		const payload = fixture('retell/call_ended');
		delete payload.event;
		expect(retell.parse(payload)).toMatchObject({ event: 'unknown', expectsStream: false, warnings: ['event: Required'] });
	});
});

describe('Retell: zod schema warnings', () => {
	test('no call object → a warning, still parsed', () => {
		expect(retell.parse({ event: 'call_started' })).toMatchObject({ event: 'session.started', warnings: ['call: Required'] });
	});

	test('no call_id → a warning naming the path', () => {
		const payload = fixture('retell/call_started');
		delete (payload.call as IDataObject).call_id;
		const parsed = retell.parse(payload);
		expect(parsed.warnings).toEqual(['call.call_id: Required']);
		expect(parsed.fields.sessionId).toBeNull();
	});

	test('wrong types → warnings with the path, and the field left null', () => {
		const payload = fixture('retell/call_analyzed');
		set(payload, 'call.start_timestamp', '1714608475945');
		set(payload, 'call.duration_ms', '15791');
		set(payload, 'call.transcript_object', 'none');
		set(payload, 'call.call_analysis.call_successful', 'yes');
		set(payload, 'call.call_analysis.custom_analysis_data', ['x']);
		const parsed = retell.parse(payload);
		expect(parsed.warnings).toEqual([
			expect.stringMatching(/^call\.start_timestamp: /),
			expect.stringMatching(/^call\.duration_ms: /),
			expect.stringMatching(/^call\.transcript_object: /),
			expect.stringMatching(/^call\.call_analysis\.call_successful: /),
			expect.stringMatching(/^call\.call_analysis\.custom_analysis_data: /),
		]);
		expect(parsed.fields).toMatchObject({ startedAt: null, durationSeconds: null, transcript: null, resolution: null, extracted: {} });
	});

	test('extra keys and nulls for optional blocks are accepted without warnings', () => {
		const payload = fixture('retell/call_analyzed');
		set(payload, 'call.future_field', { nested: [1] });
		set(payload, 'call.call_analysis.future_score', 0.7);
		set(payload, 'call.recording_url', null);
		set(payload, 'call.retell_llm_dynamic_variables', null);
		set(payload, 'interaction_type', 'voice');
		expect(retell.parse(payload).warnings).toEqual([]);
	});
});

describe('Retell: delivery id (none documented; derived, stable across Retell retries)', () => {
	test.each([
		['retell/call_started', `${CALL}:call_started`],
		['retell/call_ended', `${CALL}:call_ended`],
	])('%s → %s', (name, id) => {
		expect(retell.deliveryId?.({}, fixture(name))).toBe(id);
	});

	test('call_analyzed: the call, the event and a digest of the analysis', () => {
		const id = retell.deliveryId?.({}, fixture('retell/call_analyzed'));
		expect(id).toMatch(new RegExp(`^${CALL}:call_analyzed:[0-9a-f]{16}$`));
		// A retry carries the same analysis: the same id, whatever the signature header says.
		expect(retell.deliveryId?.({ 'x-retell-signature': 'v=1,d=00' }, fixture('retell/call_analyzed'))).toBe(id);
		// A re-run analysis of the same call is a new delivery, not a copy.
		const rerun = fixture('retell/call_analyzed');
		set(rerun, 'call.call_analysis.call_successful', false);
		expect(retell.deliveryId?.({}, rerun)).not.toBe(id);
	});

	test('the three events of one call have three ids', () => {
		const ids = ['retell/call_started', 'retell/call_ended', 'retell/call_analyzed'].map((name) => retell.deliveryId?.({}, fixture(name)));
		expect(new Set(ids).size).toBe(3);
	});

	test.each([
		['transcript_updated (sent many times per call)', { event: 'transcript_updated', call: { call_id: CALL } }],
		['transfer_started (may repeat)', { event: 'transfer_started', call: { call_id: CALL } }],
		['no call id', { event: 'call_ended', call: {} }],
		['a numeric-looking but non-string event', { event: { x: 1 }, call: { call_id: CALL } }],
		['no event', { call: { call_id: CALL } }],
		['no call', { event: 'call_ended' }],
	])('%s → null (no de-duplication)', (_name, payload) => {
		expect(retell.deliveryId?.({}, payload as IDataObject)).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------------
// x-retell-signature, against retell-sdk's own sign/verify (lib/webhook_auth).
// ---------------------------------------------------------------------------------------------

const API_KEY = 'key_3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e';
const NOW = 1_764_489_600_000; // 2025-11-30T08:00:00Z
const TOLERANCE = { toleranceSeconds: 300 };
const verifyAt = (signature: string | undefined, body: string | Buffer, key = API_KEY, nowMs = NOW, toleranceSeconds = 300) =>
	verifyRetellSignature(signature, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), key, { toleranceSeconds, nowMs });
const sdkVerifyAt = (body: string, signature: string, key = API_KEY, nowMs = NOW) =>
	symmetric.verify(body, key, signature, { timestamp: nowMs });
const signature = (body: string, key = API_KEY, at = NOW) => signRetell(body, key, at)['x-retell-signature'];

describe('x-retell-signature: the SDK and this package agree', () => {
	const bodies = fixtureNames('retell').map((name) => [name, fixtureText(name)] as const);

	test.each(bodies)('%s as stored (pretty, non-ASCII): signed by retell-sdk, accepted here', async (_name, body) => {
		const signed = await symmetric.sign(body, API_KEY, NOW - 1500);
		expect(verifyAt(signed, body)).toEqual({ valid: true });
	});

	test.each(bodies)('%s compact: signed here (test/support/sign.ts), accepted by retell-sdk', async (name, text) => {
		const body = JSON.stringify(JSON.parse(text));
		const signed = signature(body, API_KEY, NOW - 1500);
		expect(signed).toBe(await symmetric.sign(body, API_KEY, NOW - 1500));
		await expect(sdkVerifyAt(body, signed)).resolves.toBe(true);
		expect(verifyAt(signed, body)).toEqual({ valid: true });
		expect(name).toMatch(/^retell\//);
	});

	test('the SDK\'s top-level sign/verify (Date.now()) and ours agree on a fresh delivery', async () => {
		const body = fixtureText('retell/call_analyzed');
		const signed = await sdkSign(body, API_KEY);
		await expect(sdkVerify(body, API_KEY, signed)).resolves.toBe(true);
		expect(verifyRetellSignature(signed, Buffer.from(body), API_KEY, TOLERANCE)).toEqual({ valid: true });
	});

	test('the SDK repository\'s published vector: same digest here; its 12-character key is refused as too short', async () => {
		// retell-typescript-sdk tests/webhook-auth.test.ts: body, key 'test-api-key', ts 1_700_000_000_000.
		const digest = '07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e';
		const header = `v=1700000000000,d=${digest}`;
		expect(signRetell('{"event":"call_ended"}', 'test-api-key', 1_700_000_000_000)['x-retell-signature']).toBe(header);
		await expect(symmetric.verify('{"event":"call_ended"}', 'test-api-key', header, { timestamp: 1_700_000_000_000 })).resolves.toBe(true);
		expect(verifyAt(header, '{"event":"call_ended"}', 'test-api-key', 1_700_000_000_000)).toEqual({
			valid: false,
			reason: 'the configured signing secret is too short',
		});
	});

	test('bytes, not text: a body with multi-byte characters verifies as sent', async () => {
		const body = '{"event":"call_analyzed","call":{"call_id":"c","call_analysis":{"call_summary":"Señora Müller 👋"}}}';
		const signed = await symmetric.sign(body, API_KEY, NOW);
		expect(verifyAt(signed, Buffer.from(body, 'utf8'))).toEqual({ valid: true });
		// The same text in another encoding is other bytes.
		expect(verifyAt(signed, Buffer.from(body, 'latin1'))).toMatchObject({ valid: false, reason: 'signature mismatch' });
	});

	test('upper-case V=/D= and hex: the SDK accepts them, so do we', async () => {
		const body = fixtureText('retell/call_started');
		const signed = signature(body).replace('v=', 'V=').replace(/d=([0-9a-f]+)$/, (_m, hex: string) => `D=${hex.toUpperCase()}`);
		await expect(sdkVerifyAt(body, signed)).resolves.toBe(true);
		expect(verifyAt(signed, body)).toEqual({ valid: true });
	});

	test('leading zeros in v: both sign over the number (body + 17…), never over the text', async () => {
		const body = fixtureText('retell/call_started');
		const signed = signature(body).replace('v=', 'v=00');
		await expect(sdkVerifyAt(body, signed)).resolves.toBe(true);
		expect(verifyAt(signed, body)).toEqual({ valid: true });
	});

	test('the window edge is the SDK\'s, to the millisecond, both ways', async () => {
		const body = fixtureText('retell/call_started');
		const edge = 5 * 60 * 1000;
		for (const [sentAt, expected] of [
			[NOW - edge, true],
			[NOW - edge - 1, false],
			[NOW + edge, true],
			[NOW + edge + 1, false],
		] as const) {
			const signed = signature(body, API_KEY, sentAt);
			await expect(sdkVerifyAt(body, signed)).resolves.toBe(expected);
			expect(verifyAt(signed, body).valid).toBe(expected);
		}
	});
});

describe('x-retell-signature: bad inputs are refused with a reason', () => {
	const body = fixtureText('retell/call_ended');

	test.each([
		['a wrong signature', `v=${NOW},d=${'ab'.repeat(32)}`, 'signature mismatch'],
		['a signature made with another key', signature(body, 'key_another0000000000000000000000'), 'signature mismatch'],
		['a stale timestamp (6 minutes old)', signature(body, API_KEY, NOW - 360_000), 'timestamp too old'],
		['a future timestamp (6 minutes ahead)', signature(body, API_KEY, NOW + 360_000), 'timestamp in the future'],
		['a timestamp in seconds, not milliseconds', signature(body, API_KEY, Math.floor(NOW / 1000)), 'timestamp too old'],
		['v=0', signature(body, API_KEY, 0), 'invalid timestamp'],
		['a timestamp past 2^53', `v=999999999999999999999999,d=${'ab'.repeat(32)}`, 'invalid timestamp'],
	])('%s', async (_name, header, reason) => {
		expect(verifyAt(header, body)).toEqual({ valid: false, reason });
		await expect(sdkVerifyAt(body, header)).resolves.toBe(false);
	});

	test('a tampered body', async () => {
		const signed = signature(body);
		const tampered = body.replace('user_hangup', 'agent_hangup');
		expect(verifyAt(signed, tampered)).toEqual({ valid: false, reason: 'signature mismatch' });
		expect(verifyAt(signed, `${body} `)).toEqual({ valid: false, reason: 'signature mismatch' });
		await expect(sdkVerifyAt(tampered, signed)).resolves.toBe(false);
	});

	// The SDK repository's malformed list, and more: each refused by the SDK too.
	const digest = signature(body).split(',d=')[1];
	test.each([
		'',
		`v=${NOW}`,
		`d=${digest},v=${NOW}`,
		`prefix-v=${NOW},d=${digest}`,
		`v=${NOW},d=${digest}-suffix`,
		`v=${NOW},d=not-hex`,
		`v=${NOW},d=${digest.slice(2)}`,
		`v=${NOW},d=${digest}00`,
		`v=${NOW},d=${digest},d=${digest}`,
		` v=${NOW},d=${digest}`,
		`v=${NOW}, d=${digest}`,
		`v=-${NOW},d=${digest}`,
		`v=${NOW}.5,d=${digest}`,
		`t=${NOW},v1=${digest}`,
		`v=${NOW},d=${digest} v=${NOW},d=${digest}`,
	])('malformed header %j', async (header) => {
		const outcome = verifyAt(header, body);
		expect(outcome.valid).toBe(false);
		if (header !== '') expect(outcome).toEqual({ valid: false, reason: 'malformed signature header' });
		await expect(sdkVerifyAt(body, header)).resolves.toBe(false);
	});

	test('a missing header', () => {
		expect(verifyAt(undefined, body)).toEqual({ valid: false, reason: 'missing signature header' });
		expect(verifyAt('', body)).toEqual({ valid: false, reason: 'missing signature header' });
	});

	test.each(['', 'short', 'key_0123456789a'])('a short API key (%j) is refused, never used', (key) => {
		expect(verifyAt(signature(body, key || 'x'), body, key)).toEqual({ valid: false, reason: 'the configured signing secret is too short' });
	});

	test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('a tolerance of %p refuses rather than turning the replay check off', (tolerance) => {
		expect(verifyAt(signature(body), body, API_KEY, NOW, tolerance)).toEqual({ valid: false, reason: 'invalid tolerance' });
	});

	test('a wider tolerance (a user setting) accepts what 5 minutes would not', () => {
		expect(verifyAt(signature(body, API_KEY, NOW - 360_000), body, API_KEY, NOW, 600)).toEqual({ valid: true });
	});
});

describe('Retell Signature: the trigger\'s scheme', () => {
	const scheme = retell.verification.find((entry) => entry.value === 'retellSignature')!;
	const settings = { toleranceSeconds: 300 } as VerificationSettings;
	const body = fixtureText('retell/call_analyzed');

	test('is the default, reads the API key as text, and offers Timestamp Tolerance only', () => {
		expect(retell.defaultVerification).toBe('retellSignature');
		expect(retell.verification.map((entry) => entry.value)).toEqual(['retellSignature', 'none']);
		expect(scheme).toMatchObject({ key: 'textSecret', parameters: ['toleranceSeconds'] });
	});

	test('reads x-retell-signature (as Node lower-cases it) from the request headers', async () => {
		const headers = { 'x-retell-signature': await sdkSign(body, API_KEY), 'content-type': 'application/json' };
		expect(scheme.verify!({ headers, body: Buffer.from(body) }, API_KEY, settings)).toEqual({ valid: true });
		expect(scheme.verify!({ headers: {}, body: Buffer.from(body) }, API_KEY, settings)).toEqual({
			valid: false,
			reason: 'missing signature header',
		});
		expect(scheme.verify!({ headers, body: Buffer.from(body) }, 'key_another0000000000000000000000', settings)).toEqual({
			valid: false,
			reason: 'signature mismatch',
		});
	});

	test('two x-retell-signature headers are refused, not one picked', async () => {
		const signed = await sdkSign(body, API_KEY);
		const headers = { 'x-retell-signature': [signed, signed] } as unknown as Record<string, string>;
		expect(scheme.verify!({ headers, body: Buffer.from(body) }, API_KEY, settings)).toEqual({
			valid: false,
			reason: 'malformed signature header',
		});
	});

	test('a stale delivery signed by the SDK is refused through the scheme', async () => {
		const stale = await symmetric.sign(body, API_KEY, Date.now() - 301_000);
		expect(scheme.verify!({ headers: { 'x-retell-signature': stale }, body: Buffer.from(body) }, API_KEY, settings)).toEqual({
			valid: false,
			reason: 'timestamp too old',
		});
	});
});

// Parsing under random input (fixtures mutated, prototype names as the event) is index.test.ts's,
// for every platform; the delivery id is this platform's own.
describe('Retell: the delivery id never throws', () => {
	test('random payloads → null or a string', () => {
		fc.assert(
			fc.property(fc.anything(), fc.anything(), fc.anything(), (event, callId, analysis) => {
				const payload = JSON.parse(JSON.stringify({ event, call: { call_id: callId, call_analysis: analysis } }) ?? '{}') as IDataObject;
				const id = retell.deliveryId?.({}, payload);
				expect(id === null || typeof id === 'string').toBe(true);
			}),
			{ numRuns: 300 },
		);
	});
});
