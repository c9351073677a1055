import { WebhooksClient } from '@elevenlabs/elevenlabs-js/wrapper/webhooks';
import fc from 'fast-check';
import set from 'lodash/set';
import type { IDataObject } from 'n8n-workflow';

import { fixture, fixtureNames, fixtureText } from '../../../helpers/fixtures';
import { deliverToTrigger } from '../../../helpers/webhookDelivery';
import { signElevenLabs, timestampedSignature } from '../../../../support/sign';
import { KNOWN_EVENTS } from '../../../../../nodes/shared/events';
import { elevenLabs } from '../../../../../nodes/shared/platforms/elevenlabs';
import { platformById } from '../../../../../nodes/shared/platforms';
import { buildEvent } from '../../../../../nodes/shared/VoiceAgentEvent';
import { resetDeduplication } from '../../../../../nodes/VoiceAgentTrigger/deduplication';
import type { VerificationSettings } from '../../../../../nodes/shared/verification/schemes';

const AGENT = 'agent_4301kbx2m9e7f0qv8r6t5w1y3z';
const CONVERSATION = 'conv_8201kbx2p4c6e8g0j2l4n6q8s0';

/** Every field an ElevenLabs parse fills, with its "absent" value. */
const EMPTY = {
	eventType: null,
	sessionId: null,
	conversationId: null,
	agentId: null,
	direction: null,
	from: null,
	to: null,
	startedAt: null,
	endedAt: null,
	durationSeconds: null,
	summary: null,
	resolution: null,
	extracted: {},
	variables: {},
	transcript: null,
	endedReason: null,
};

describe('ElevenLabs fixtures: event names and no warnings', () => {
	test.each([
		['elevenlabs/post_call_transcription', 'session.ended'],
		['elevenlabs/post_call_transcription.docs-example', 'session.ended'],
		['elevenlabs/post_call_transcription.minimal', 'session.ended'],
		['elevenlabs/call_initiation_failure', 'session.failed'],
		['elevenlabs/call_initiation_failure.sip', 'session.failed'],
		// Not mapped: the audio passes as sent ("Other Events").
		['elevenlabs/post_call_audio', 'post_call_audio'],
	])('%s → %s, no stream', (name, event) => {
		const parsed = elevenLabs.parse(fixture(name));
		expect({ event: parsed.event, expectsStream: parsed.expectsStream, json: parsed.expectsJsonReply }).toEqual({
			event,
			expectsStream: false,
			json: undefined,
		});
	});

	test.each(fixtureNames('elevenlabs'))('%s parses without warnings', (name) => {
		expect(elevenLabs.parse(fixture(name)).warnings).toEqual([]);
	});

	test('the registry finds it, and lists the events it maps', () => {
		expect(platformById('elevenlabs')).toBe(elevenLabs);
		expect(elevenLabs.events.map((event) => event.value)).toEqual(['session.ended', 'session.failed']);
		expect(elevenLabs.streamsTurns).toBeUndefined();
		expect(elevenLabs.api).toBeUndefined();
	});
});

describe('ElevenLabs: fields per event', () => {
	test('post_call_transcription: transcript, summary, verdict, collected data, dynamic variables, phone numbers, times', () => {
		expect(elevenLabs.parse(fixture('elevenlabs/post_call_transcription')).fields).toEqual({
			...EMPTY,
			eventType: 'post_call_transcription',
			sessionId: CONVERSATION,
			conversationId: CONVERSATION,
			agentId: AGENT,
			direction: 'inbound',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2026-11-22T08:00:00.000Z',
			endedAt: '2026-11-22T08:02:04.000Z',
			durationSeconds: 124,
			summary:
				'Ada asked to move her Tuesday cleaning to Friday. The agent rescheduled it to Friday 27 November at 10 am and emailed the confirmation.',
			resolution: 'successful',
			extracted: { new_date: '2026-11-27', email: 'ada@example.com', wants_reminder: null },
			variables: { crm_contact_id: 'C-1001', task_id: 'T-7', user_name: 'Ada' },
			// The agent turn that only called a tool (message null) is not speech.
			transcript: [
				{ role: 'assistant', text: 'Hi Ada, this is Riverside Dental. How can I help you today?', at: '2026-11-22T08:00:00.000Z' },
				{ role: 'user', text: 'I need to move my cleaning on Tuesday to Friday, please.', at: '2026-11-22T08:00:04.000Z' },
				{
					role: 'assistant',
					text: 'Done: your cleaning is now on Friday the 27th at 10 am. I sent the confirmation to ada@example.com.',
					at: '2026-11-22T08:00:12.500Z',
				},
			],
			endedReason: 'Call ended by remote party',
		});
	});

	test('post_call_transcription, the documented example verbatim (web call, empty analysis maps, empty termination reason)', () => {
		const parsed = elevenLabs.parse(fixture('elevenlabs/post_call_transcription.docs-example'));
		expect(parsed.fields).toMatchObject({
			eventType: 'post_call_transcription',
			sessionId: 'abc',
			conversationId: 'abc',
			agentId: 'xyz',
			direction: null,
			from: null,
			to: null,
			startedAt: '2025-02-14T12:48:17.000Z',
			endedAt: '2025-02-14T12:48:39.000Z',
			durationSeconds: 22,
			resolution: 'successful',
			extracted: {},
			variables: { user_name: 'angelo' },
			endedReason: null,
		});
		expect(parsed.fields.transcript?.map((line) => [line.role, line.at])).toEqual([
			['assistant', '2025-02-14T12:48:17.000Z'],
			['user', '2025-02-14T12:48:19.000Z'],
			['assistant', '2025-02-14T12:48:26.000Z'],
		]);
	});

	test('post_call_transcription without the optional blocks (no analysis, client data, phone call or transcript)', () => {
		expect(elevenLabs.parse(fixture('elevenlabs/post_call_transcription.minimal')).fields).toEqual({
			...EMPTY,
			eventType: 'post_call_transcription',
			sessionId: 'conv_8201kbx3a1b3d5f7h9k1m3p5r7',
			conversationId: 'conv_8201kbx3a1b3d5f7h9k1m3p5r7',
			agentId: AGENT,
			startedAt: '2026-11-22T09:00:00.000Z',
			endedAt: '2026-11-22T09:00:07.000Z',
			durationSeconds: 7,
		});
	});

	test('call_initiation_failure over Twilio: the reason, and the numbers from Twilio’s callback', () => {
		expect(elevenLabs.parse(fixture('elevenlabs/call_initiation_failure')).fields).toEqual({
			...EMPTY,
			eventType: 'call_initiation_failure',
			sessionId: 'conv_8201kbx3c2e4g6j8l0n2q4s6',
			conversationId: 'conv_8201kbx3c2e4g6j8l0n2q4s6',
			agentId: AGENT,
			from: '+14155550100',
			to: '+14155550123',
			endedReason: 'busy',
		});
	});

	test('call_initiation_failure over SIP: the reason; no numbers are guessed from an undocumented body', () => {
		expect(elevenLabs.parse(fixture('elevenlabs/call_initiation_failure.sip')).fields).toEqual({
			...EMPTY,
			eventType: 'call_initiation_failure',
			sessionId: 'conv_8201kbx3d3f5h7k9m1p3r5t7',
			conversationId: 'conv_8201kbx3d3f5h7k9m1p3r5t7',
			agentId: AGENT,
			endedReason: 'no-answer',
		});
	});

	test('call_initiation_failure with dynamic variables: the correlation ids come through', () => {
		const payload = fixture('elevenlabs/call_initiation_failure');
		(payload.data as IDataObject).conversation_initiation_client_data = { dynamic_variables: { crm_contact_id: 'C-9' } };
		expect(elevenLabs.parse(payload).fields.variables).toEqual({ crm_contact_id: 'C-9' });
	});

	test('post_call_audio is an event this package does not know: passed on as sent, ids filled', () => {
		const parsed = elevenLabs.parse(fixture('elevenlabs/post_call_audio'));
		expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		expect(parsed.fields).toEqual({ ...EMPTY, eventType: 'post_call_audio', sessionId: CONVERSATION, conversationId: CONVERSATION, agentId: AGENT });
	});

	test.each([
		['success', 'successful'],
		['failure', 'unsuccessful'],
		['unknown', 'unknown'],
	])('call_successful %s → resolution %s', (verdict, resolution) => {
		const payload = fixture('elevenlabs/post_call_transcription');
		set(payload, 'data.analysis.call_successful', verdict);
		expect(elevenLabs.parse(payload).fields.resolution).toBe(resolution);
	});

	test('outbound calls: the agent’s number calls the customer', () => {
		const payload = fixture('elevenlabs/post_call_transcription');
		set(payload, 'data.metadata.phone_call.direction', 'outbound');
		expect(elevenLabs.parse(payload).fields).toMatchObject({ direction: 'outbound', from: '+14155550100', to: '+14155550123' });
	});

	test('data collection sent as a list (data_collection_results_list) when the map is absent', () => {
		const payload = fixture('elevenlabs/post_call_transcription');
		const analysis = (payload.data as IDataObject).analysis as IDataObject;
		delete analysis.data_collection_results;
		analysis.data_collection_results_list = [
			{ data_collection_id: 'new_date', value: '2026-11-27', rationale: '' },
			{ value: 'no id, left out', rationale: '' },
			{ data_collection_id: 'email', rationale: 'value missing' },
		];
		expect(elevenLabs.parse(payload).fields.extracted).toEqual({ new_date: '2026-11-27', email: null });
	});

	test('a transcript line without its time has no time; without a start the lines have none either', () => {
		const payload = fixture('elevenlabs/post_call_transcription');
		set(payload, 'data.transcript.0.time_in_call_secs', null);
		expect(elevenLabs.parse(payload).fields.transcript?.[0].at).toBeNull();
		set(payload, 'data.metadata.start_time_unix_secs', null);
		const fields = elevenLabs.parse(payload).fields;
		expect(fields.transcript?.map((line) => line.at)).toEqual([null, null, null]);
		expect([fields.startedAt, fields.endedAt, fields.durationSeconds]).toEqual([null, null, 124]);
	});
});

describe('ElevenLabs: schema warnings (lenient by default, 422 with Strict Schema)', () => {
	test.each([
		['data.conversation_id', undefined, 'data.conversation_id: Required'],
		['data.agent_id', 42, 'data.agent_id: Expected string, received number'],
		['data.transcript', 'hello', 'data.transcript: Expected array, received string'],
		['data.analysis.call_successful', true, 'data.analysis.call_successful: Expected string, received boolean'],
		['data.metadata.call_duration_secs', '124', 'data.metadata.call_duration_secs: Expected number, received string'],
		['data.analysis.data_collection_results.email', 'x', 'data.analysis.data_collection_results.email: Expected object, received string'],
		['event_timestamp', 'yesterday', 'event_timestamp: Expected number, received string'],
	])('post_call_transcription with %s = %j → %s', (path, value, warning) => {
		const payload = fixture('elevenlabs/post_call_transcription');
		set(payload, path, value);
		if (value === undefined) delete (payload.data as IDataObject).conversation_id;
		expect(elevenLabs.parse(payload).warnings).toEqual([warning]);
	});

	test('call_initiation_failure without its failure reason is fine; with a non-object metadata body it warns', () => {
		const payload = fixture('elevenlabs/call_initiation_failure');
		delete (payload.data as IDataObject).failure_reason;
		expect(elevenLabs.parse(payload).warnings).toEqual([]);
		set(payload, 'data.metadata.body', 'busy');
		expect(elevenLabs.parse(payload).warnings).toEqual(['data.metadata.body: Expected object, received string']);
	});

	test('no type at all → event "unknown" with a warning; an unknown type with no data passes without one', () => {
		expect(elevenLabs.parse({ data: {} })).toMatchObject({ event: 'unknown', warnings: ['type: Required'] });
		// An empty name names nothing: "unknown" too, never an empty event.
		expect(elevenLabs.parse({ type: '', data: {} })).toMatchObject({ event: 'unknown', fields: { eventType: '' } });
		expect(elevenLabs.parse({ type: 'post_call_summary_v2' })).toMatchObject({ event: 'post_call_summary_v2', warnings: [] });
	});
});

describe('ElevenLabs: names JavaScript objects inherit', () => {
	test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('type %s is an unknown event, passed on as sent', (name) => {
		// Through JSON, as a webhook body arrives: `__proto__` becomes an own key there.
		const payload = JSON.parse(JSON.stringify({ type: name, data: { conversation_id: 'c-1' } })) as IDataObject;
		const parsed = elevenLabs.parse(payload);
		expect(parsed).toMatchObject({ event: name, expectsStream: false, warnings: [] });
		expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		expect(parsed.fields.eventType).toBe(name);
		// Not an event sent once per conversation: no delivery id, so nothing is dropped as a repeat.
		expect(elevenLabs.deliveryId?.({}, payload)).toBeNull();
	});

	test('a collected field named __proto__ is an ordinary key of extracted, not its prototype', () => {
		const text = fixtureText('elevenlabs/post_call_transcription').replace('"email": {', '"__proto__": {');
		const extracted = elevenLabs.parse(JSON.parse(text) as IDataObject).fields.extracted as IDataObject;
		expect(Object.getPrototypeOf(extracted)).toBe(Object.prototype);
		expect(Object.prototype.hasOwnProperty.call(extracted, '__proto__')).toBe(true);
		expect(Object.keys(extracted)).toEqual(['new_date', '__proto__', 'wants_reminder']);
	});
});

describe('ElevenLabs: delivery id (none is sent: conversation id and type)', () => {
	test('only for the events sent once per conversation; an unknown type may repeat', () => {
		for (const type of ['post_call_transcription', 'post_call_audio', 'call_initiation_failure']) {
			expect(elevenLabs.deliveryId?.({}, { type, data: { conversation_id: 'c-1' } })).toBe(`c-1:${type}`);
		}
		expect(elevenLabs.deliveryId?.({}, { type: 'answering_machine_detection', data: { conversation_id: 'c-1' } })).toBeNull();
	});

	test('one per conversation and type, whatever the headers', () => {
		const payload = fixture('elevenlabs/post_call_transcription');
		expect(elevenLabs.deliveryId?.({}, payload)).toBe(`${CONVERSATION}:post_call_transcription`);
		// A retry is signed anew; its id does not change.
		const body = JSON.stringify(payload);
		expect(elevenLabs.deliveryId?.(signElevenLabs(body, 'x'.repeat(32), 1), payload)).toBe(
			elevenLabs.deliveryId?.(signElevenLabs(body, 'x'.repeat(32), 2), payload),
		);
		// The audio of the same conversation is another delivery.
		expect(elevenLabs.deliveryId?.({}, fixture('elevenlabs/post_call_audio'))).toBe(`${CONVERSATION}:post_call_audio`);
	});

	test.each([
		['no conversation id', { type: 'post_call_transcription', data: {} }],
		['no type', { data: { conversation_id: 'c-1' } }],
		['an empty type', { type: '', data: { conversation_id: 'c-1' } }],
		['an empty conversation id', { type: 'post_call_transcription', data: { conversation_id: '' } }],
		['no data', { type: 'post_call_transcription' }],
		['data not an object', { type: 'post_call_transcription', data: ['c-1'] }],
	])('%s → none (not de-duplicated)', (_name, payload) => {
		expect(elevenLabs.deliveryId?.({}, payload as IDataObject)).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------------
// Verification, cross-checked against the SDK's own verifier (constructEvent). The SDK has no
// signing function, so vectors are made here the way its docs describe and both sides check them.
// ---------------------------------------------------------------------------------------------

const SECRET = 'wsec_8f2b6c1d9e4a7f3b0c5d8e1a4f7b2c6d9e0a3f5b8c1d4e7f0a2b5c8d1e4f7a0b';
const NOW = 1795334531;
const BODY = fixtureText('elevenlabs/post_call_transcription');
const scheme = elevenLabs.verification[0];
const settings = (toleranceSeconds = 300): VerificationSettings => ({
	header: '',
	algorithm: 'sha256',
	encoding: 'hex',
	prefix: '',
	// What the trigger passes when the scheme does not show Signature Key: ours must not depend on it.
	signatureKey: 'v1',
	toleranceSeconds,
});
const ours = (headers: Record<string, string>, body = BODY, secret = SECRET, toleranceSeconds = 300) =>
	scheme.verify?.({ headers, body: Buffer.from(body) }, secret, { ...settings(toleranceSeconds), nowSeconds: NOW } as VerificationSettings);

// The SDK's verifier reads the clock: pin it to NOW.
async function sdkAccepts(header: string, body = BODY, secret = SECRET): Promise<boolean> {
	const clock = jest.spyOn(Date, 'now').mockReturnValue(NOW * 1000);
	try {
		await new WebhooksClient({ apiKey: 'unused' }).constructEvent(body, header, secret);
		return true;
	} catch {
		return false;
	} finally {
		clock.mockRestore();
	}
}

describe('ElevenLabs Signature', () => {
	test('the scheme: its own value, the secret as text, Timestamp Tolerance, offered by default', () => {
		expect(scheme).toMatchObject({ value: 'elevenlabsSignature', key: 'textSecret', parameters: ['toleranceSeconds'] });
		expect(elevenLabs.defaultVerification).toBe('elevenlabsSignature');
		expect(elevenLabs.verification.map((s) => s.value)).toEqual(['elevenlabsSignature', 'none']);
	});

	test('a fixed vector: the SDK accepts it and so do we', async () => {
		// HMAC-SHA256(SECRET, "1795334531." + the fixture's bytes as stored), written out.
		const header = `t=${NOW},v0=c25cb51fc3c56a4aafd477f1154491cdf513168060fb7ba3a13ceb94967b5d9a`;
		expect(timestampedSignature(BODY, SECRET, NOW, 'v0')).toBe(header);
		expect(await sdkAccepts(header)).toBe(true);
		expect(ours({ 'elevenlabs-signature': header })).toEqual({ valid: true });
	});

	test('what our sender signs, the SDK accepts (any body, any secret)', async () => {
		await fc.assert(
			fc.asyncProperty(fc.string({ minLength: 16, maxLength: 40 }), fc.jsonValue(), async (secret, value) => {
				const body = JSON.stringify({ type: 'post_call_transcription', data: { value } });
				const header = signElevenLabs(body, secret, NOW)['elevenlabs-signature'];
				expect(await sdkAccepts(header, body, secret)).toBe(true);
				expect(ours({ 'elevenlabs-signature': header }, body, secret)).toEqual({ valid: true });
			}),
			{ numRuns: 50 },
		);
	});

	test('the header name is matched in any case, as HTTP sends it (ElevenLabs-Signature)', () => {
		// n8n hands headers over in lower case; header() lower-cases the name asked for.
		expect(ours({ 'elevenlabs-signature': signElevenLabs(BODY, SECRET, NOW)['elevenlabs-signature'] })).toEqual({ valid: true });
	});

	const signed = (t = NOW, body = BODY, secret = SECRET) => signElevenLabs(body, secret, t)['elevenlabs-signature'];
	const good = signed().split('v0=')[1];

	// Each refused by us with this reason; the last column says whether the SDK accepts it.
	test.each([
		['wrong secret', 'signature mismatch', () => signed(NOW, BODY, 'wsec_another-secret-of-enough-length'), BODY, false],
		['tampered body', 'signature mismatch', () => signed(), BODY.replace('2026-11-27', '2026-11-28'), false],
		['signature of another timestamp', 'signature mismatch', () => `t=${NOW - 1},v0=${good}`, BODY, false],
		// The SDK's window is 30 minutes; ours is the trigger's Timestamp Tolerance (300 s by default).
		['stale: 301 s old', 'timestamp too old', () => signed(NOW - 301), BODY, true],
		['very stale: 31 minutes old', 'timestamp too old', () => signed(NOW - 31 * 60), BODY, false],
		// The SDK checks only the past: a time far ahead would let a captured delivery be replayed later.
		['future: 301 s ahead', 'timestamp in the future', () => signed(NOW + 301), BODY, true],
		['v1 instead of v0', 'malformed signature header', () => `t=${NOW},v1=${good}`, BODY, false],
		['no timestamp', 'malformed signature header', () => `v0=${good}`, BODY, false],
		['two timestamps', 'malformed signature header', () => `t=${NOW},t=${NOW},v0=${good}`, BODY, true],
		['timestamp not a number', 'invalid timestamp', () => `t=now,v0=${good}`, BODY, false],
		['signature not hex', 'signature mismatch', () => `t=${NOW},v0=${good.slice(0, -2)}zz`, BODY, false],
		['truncated signature', 'signature mismatch', () => `t=${NOW},v0=${good.slice(0, 32)}`, BODY, false],
		['garbage', 'malformed signature header', () => 'not a signature', BODY, false],
	])('%s → 401 (%s)', async (_name, reason, header, body, sdkAccepted) => {
		expect(ours({ 'elevenlabs-signature': header() }, body)).toEqual({ valid: false, reason });
		expect(await sdkAccepts(header(), body)).toBe(sdkAccepted);
	});

	test('missing header', () => {
		expect(ours({})).toEqual({ valid: false, reason: 'missing signature header' });
		expect(ours({ 'x-elevenlabs-signature': signed() })).toEqual({ valid: false, reason: 'missing signature header' });
	});

	test('a secret too short to resist guessing is refused, signed or not', () => {
		const short = 'wsec_short';
		expect(ours({ 'elevenlabs-signature': signed(NOW, BODY, short) }, BODY, short)).toEqual({
			valid: false,
			reason: 'the configured signing secret is too short',
		});
	});

	test('Timestamp Tolerance 1800 s accepts what the SDK accepts (up to 30 minutes old)', async () => {
		const old = signed(NOW - 29 * 60);
		expect(ours({ 'elevenlabs-signature': old }, BODY, SECRET, 1800)).toEqual({ valid: true });
		expect(await sdkAccepts(old)).toBe(true);
	});

	test('secret rotation: a second v0 entry may carry the genuine signature', () => {
		const header = `t=${NOW},v0=${'0'.repeat(64)},v0=${good}`;
		expect(ours({ 'elevenlabs-signature': header })).toEqual({ valid: true });
	});
});

describe('ElevenLabs through the trigger’s webhook()', () => {
	beforeEach(() => resetDeduplication());

	test('a signed post_call_transcription starts one item with the normalised fields', async () => {
		const headers = signElevenLabs(BODY, SECRET);
		const delivery = { parameters: { platform: 'elevenlabs' }, credential: { webhookSecret: SECRET }, body: BODY, headers };
		const first = await deliverToTrigger(delivery);
		expect(first.item).toEqual(
			buildEvent('elevenlabs', 'session.ended', elevenLabs.parse(fixture('elevenlabs/post_call_transcription')).fields, fixture('elevenlabs/post_call_transcription'), `${CONVERSATION}:post_call_transcription`),
		);
		expect(first.item).toMatchObject({ provider: 'elevenlabs', event: 'session.ended', resolution: 'successful', durationSeconds: 124 });
	});

	test('Strict Schema: a signed delivery that departs from the documented shape → 422', async () => {
		const body = JSON.stringify({ type: 'post_call_transcription', data: { agent_id: AGENT } });
		const answer = await deliverToTrigger({
			parameters: { platform: 'elevenlabs', triggerOptions: { strictSchema: true } },
			credential: { webhookSecret: SECRET },
			body,
			headers: signElevenLabs(body, SECRET),
		});
		expect(answer).toMatchObject({ item: undefined, status: 422, answer: { problems: ['data.conversation_id: Required'] } });
	});

	test('unsigned → 401 and no item', async () => {
		const answer = await deliverToTrigger({ parameters: { platform: 'elevenlabs' }, credential: { webhookSecret: SECRET }, body: BODY });
		expect(answer).toMatchObject({ item: undefined, status: 401, answer: { error: 'unauthorized', reason: 'missing signature header' } });
	});

	test('Events = Session Failed: a transcription is answered 200 ignored', async () => {
		const answer = await deliverToTrigger({
			parameters: { platform: 'elevenlabs', events: ['session.failed'] },
			credential: { webhookSecret: SECRET },
			body: BODY,
			headers: signElevenLabs(BODY, SECRET),
		});
		expect(answer).toMatchObject({ item: undefined, status: 200, answer: { status: 'ignored', event: 'session.ended' } });
	});
});
