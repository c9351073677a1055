import { createHmac } from 'node:crypto';

import type { Vapi } from '@vapi-ai/server-sdk';
import fc from 'fast-check';
import cloneDeep from 'lodash/cloneDeep';
import { NodeHelpers, type IDataObject, type INodeParameters } from 'n8n-workflow';

import { fixture, fixtureNames, fixtureText } from '../../../helpers/fixtures';
import { triggerNodeWith } from '../../../helpers/triggerNode';
import { deliverToTrigger } from '../../../helpers/webhookDelivery';
import { triggerProperties } from '../../../../../nodes/VoiceAgentTrigger/TriggerDescription';
import { VoiceAgentTrigger } from '../../../../../nodes/VoiceAgentTrigger/VoiceAgentTrigger.node';
import { signVapiHmac } from '../../../../support/sign';
import { KNOWN_EVENTS } from '../../../../../nodes/shared/events';
import { platformById } from '../../../../../nodes/shared/platforms';
import { vapi, vapiTextTranscript, vapiTranscript } from '../../../../../nodes/shared/platforms/vapi';
import type { IncomingHttpHeaders } from '../../../../../nodes/shared/verification/headers';
import type { VerificationSettings } from '../../../../../nodes/shared/verification/schemes';
import { SECRET_TOO_SHORT } from '../../../../../nodes/shared/verification/signatures';
import { buildEvent } from '../../../../../nodes/shared/VoiceAgentEvent';

const CALL_ID = '6f2b1c4e-93a7-4d0e-b8f5-2a1c9e7d4b30';
const ASSISTANT_ID = 'a7d4e1c2-5b3f-4e8a-b9c6-2f1e0d9c8b7a';
const VARIABLES = { crmContactId: '0035g00000XyZabAAB', taskId: 'T-20931' };

/** Every field a Vapi parse fills, with its "absent" value. */
const EMPTY = {
	eventType: null,
	sessionId: null,
	agentId: null,
	direction: null,
	from: null,
	to: null,
	startedAt: null,
	endedAt: null,
	summary: null,
	resolution: null,
	extracted: {},
	variables: {},
	transcript: null,
	recordingUrl: null,
	endedReason: null,
};

/** A fixture with `message` changed by `change`. */
function withMessage(name: string, change: (message: IDataObject) => void): IDataObject {
	const payload = fixture(name);
	change(payload.message as IDataObject);
	return payload;
}

describe('Vapi fixtures: event names, no stream, no warnings', () => {
	test.each([
		['vapi/end-of-call-report', 'session.ended'],
		['vapi/end-of-call-report.web-minimal', 'session.ended'],
		['vapi/status-update.in-progress', 'session.started'],
		['vapi/status-update.ended', 'session.updated'],
	])('%s → %s', (name, event) => {
		const parsed = vapi.parse(fixture(name));
		expect(parsed).toMatchObject({ event, expectsStream: false, warnings: [] });
		expect(parsed.expectsJsonReply).toBeFalsy();
	});

	test('every fixture is listed above', () => {
		expect(fixtureNames('vapi')).toHaveLength(4);
	});
});

describe('Vapi: end-of-call-report', () => {
	test('every normalised field, from an inbound phone call', () => {
		expect(vapi.parse(fixture('vapi/end-of-call-report')).fields).toEqual({
			eventType: 'end-of-call-report',
			sessionId: CALL_ID,
			agentId: ASSISTANT_ID,
			direction: 'inbound',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: '2025-06-12T14:07:59.204Z',
			summary: expect.stringMatching(/^Dana Whitfield called to renew her Pro plan/),
			resolution: 'successful',
			extracted: {
				customerName: 'Dana Whitfield',
				accountNumber: 'ACC-558120',
				plan: 'Pro',
				renewalDate: '2025-06-28',
				discountPercent: 15,
				followUpRequired: true,
			},
			variables: VARIABLES,
			// The system prompt, the tool call and its result are not speech.
			transcript: [
				{ role: 'assistant', text: 'Thanks for calling Northwind, this is Ava. How can I help?', at: '2025-06-12T14:03:28.120Z' },
				{ role: 'user', text: "Hi, I'd like to renew my Pro plan before it runs out.", at: '2025-06-12T14:03:32.900Z' },
				{ role: 'assistant', text: 'Of course. I can renew it today with your 15% loyalty discount.', at: '2025-06-12T14:03:37.200Z' },
			],
			recordingUrl: 'https://storage.vapi.ai/6f2b1c4e-93a7-4d0e-b8f5-2a1c9e7d4b30-1749737279204-recording.wav',
			endedReason: 'customer-ended-call',
		});
	});

	test('buildEvent: the same keys as every platform, the duration computed from startedAt and endedAt', () => {
		const payload = fixture('vapi/end-of-call-report');
		const parsed = vapi.parse(payload);
		const event = buildEvent('vapi', parsed.event, parsed.fields, payload, vapi.deliveryId?.({}, payload) ?? null);
		expect(event).toMatchObject({
			provider: 'vapi',
			event: 'session.ended',
			deliveryId: `${CALL_ID}:end-of-call-report`,
			durationSeconds: 271.692,
			sentiment: null, // Vapi's analysis has no sentiment
			intent: null,
			conversationId: null,
		});
		expect(event.raw).toBe(payload);
		expect(event.warnings).toBeUndefined();
	});

	test('a web call with empty analysis and no messages: nulls, the text transcript, no warnings', () => {
		const parsed = vapi.parse(fixture('vapi/end-of-call-report.web-minimal'));
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toEqual({
			...EMPTY,
			eventType: 'end-of-call-report',
			sessionId: 'd1e5f3a2-4b6c-4d8e-9f0a-1b2c3d4e5f60',
			agentId: ASSISTANT_ID,
			startedAt: '2025-06-12T15:01:21.006Z',
			endedAt: '2025-06-12T15:02:01.506Z',
			transcript: [
				{ role: 'assistant', text: 'Hi, this is Ava from Northwind. How can I help?', at: null },
				{ role: 'user', text: 'What are your opening hours?', at: null },
				{ role: 'assistant', text: 'We are open 9 to 5, Monday to Friday.', at: null },
			],
			endedReason: 'assistant-ended-call',
		});
	});

	test('the message-level start, end and reason win over the call’s; the call’s fill in', () => {
		const payload = withMessage('vapi/end-of-call-report', (message) => {
			delete message.startedAt;
			delete message.endedReason;
			message.endedAt = '2025-06-12T14:08:00.000Z';
		});
		expect(vapi.parse(payload).fields).toMatchObject({
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: '2025-06-12T14:08:00.000Z',
			endedReason: 'customer-ended-call',
		});
	});

	test('the recording from artifact.recording.mono when recordingUrl is absent', () => {
		const payload = withMessage('vapi/end-of-call-report', (message) => {
			const artifact = message.artifact as IDataObject;
			delete artifact.recordingUrl;
			artifact.recording = { mono: { combinedUrl: 'https://storage.vapi.ai/mono.wav' } };
		});
		expect(vapi.parse(payload).fields.recordingUrl).toBe('https://storage.vapi.ai/mono.wav');
	});

	test.each([
		['"true" (PassFail)', 'true', 'successful'],
		['"false" (PassFail)', 'false', 'unsuccessful'],
		['" True " (spacing and case)', ' True ', 'successful'],
		['a numeric scale', '8', '8'],
		['a descriptive scale', 'Excellent', 'Excellent'],
		['a checklist answer', 'Passed 3 of 4', 'Passed 3 of 4'],
		['a boolean true', true, 'successful'],
		['a boolean false', false, 'unsuccessful'],
		['a number', 7, '7'],
		['absent', undefined, null],
	])('successEvaluation %s → resolution', (_, successEvaluation, resolution) => {
		const payload = withMessage('vapi/end-of-call-report', (message) => {
			(message.analysis as IDataObject).successEvaluation = successEvaluation as string;
		});
		expect(vapi.parse(payload).fields.resolution).toBe(resolution);
	});

	test('no customer and no phone number (web call): from and to are null', () => {
		const payload = withMessage('vapi/end-of-call-report', (message) => {
			delete message.customer;
			delete message.phoneNumber;
			delete (message.call as IDataObject).customer;
		});
		expect(vapi.parse(payload).fields).toMatchObject({ from: null, to: null, direction: 'inbound' });
	});

	test('the customer number from the call when the message has none', () => {
		const payload = withMessage('vapi/end-of-call-report', (message) => delete message.customer);
		expect(vapi.parse(payload).fields.from).toBe('+14155550123');
	});
});

describe('Vapi: status-update', () => {
	test('in-progress → session.started, the call’s parties and variables', () => {
		const parsed = vapi.parse(fixture('vapi/status-update.in-progress'));
		expect(parsed.fields).toEqual({
			...EMPTY,
			eventType: 'status-update',
			sessionId: CALL_ID,
			agentId: ASSISTANT_ID,
			direction: 'inbound',
			from: '+14155550123',
			to: '+14155550100',
			startedAt: '2025-06-12T14:03:27.512Z',
			variables: VARIABLES,
			transcript: [],
		});
	});

	test('ended on an outbound call → session.updated; our number calls the customer', () => {
		const parsed = vapi.parse(fixture('vapi/status-update.ended'));
		expect(parsed.event).toBe('session.updated');
		expect(parsed.fields).toEqual({
			...EMPTY,
			eventType: 'status-update',
			sessionId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
			agentId: ASSISTANT_ID,
			direction: 'outbound',
			from: '+14155550100',
			to: '+14155550177',
			startedAt: '2025-06-12T16:20:03.118Z',
			endedAt: '2025-06-12T16:24:41.204Z',
			variables: { crmContactId: '0035g00000AbCdeFGH' },
			endedReason: 'customer-ended-call',
		});
	});

	test.each(['scheduled', 'queued', 'ringing', 'forwarding', 'ended', 'not-found', 'a-status-added-later'])(
		'status %s → session.updated',
		(status) => {
			const payload = withMessage('vapi/status-update.in-progress', (message) => (message.status = status));
			expect(vapi.parse(payload)).toMatchObject({ event: 'session.updated', warnings: [] });
		},
	);

	test('the forwarding status carries a summary at the top level', () => {
		const payload = withMessage('vapi/status-update.in-progress', (message) => {
			message.status = 'forwarding';
			message.summary = 'Caller asked for a human.';
		});
		expect(vapi.parse(payload).fields.summary).toBe('Caller asked for a human.');
	});
});

describe('Vapi: schema warnings (lenient: still delivered)', () => {
	test('an end-of-call-report without its required endedReason, artifact and analysis', () => {
		const payload = withMessage('vapi/end-of-call-report', (message) => {
			delete message.endedReason;
			delete message.artifact;
			delete message.analysis;
		});
		const parsed = vapi.parse(payload);
		expect(parsed.event).toBe('session.ended');
		expect(parsed.warnings).toEqual([
			'message.endedReason: Required',
			'message.artifact: Required',
			'message.analysis: Required',
		]);
	});

	test('wrong types are named by path', () => {
		const payload = withMessage('vapi/end-of-call-report', (message) => {
			(message.call as IDataObject).id = 42;
			(message.analysis as IDataObject).summary = { text: 'x' };
			(message.artifact as IDataObject).messages = 'not a list';
		});
		expect(vapi.parse(payload).warnings).toEqual([
			'message.call.id: Expected string, received number',
			'message.artifact.messages: Expected array, received string',
			'message.analysis.summary: Expected string, received object',
		]);
	});

	test('a status-update without status', () => {
		const payload = withMessage('vapi/status-update.ended', (message) => delete message.status);
		expect(vapi.parse(payload)).toMatchObject({ event: 'session.updated', warnings: ['message.status: Required'] });
	});

	test.each([
		['no message envelope', { type: 'end-of-call-report' }, ['message: Required']],
		['a message without type', { message: { call: { id: 'c' } } }, ['message.type: Required']],
		['a message that is a list', { message: [] }, ['message: Expected object, received array']],
	])('%s → event "unknown" with a warning', (_, payload, warnings) => {
		const parsed = vapi.parse(payload as IDataObject);
		expect(parsed.event).toBe('unknown');
		expect(parsed.warnings).toEqual(warnings);
		expect(parsed.fields.eventType).toBeNull();
	});
});

test('an empty type → event "unknown" (found by the property test below)', () => {
	expect(vapi.parse({ message: { type: '' } })).toMatchObject({ event: 'unknown', fields: { eventType: '' } });
});

describe('Vapi: other messages pass as sent (answered 200 by the trigger, never with a JSON reply)', () => {
	test.each([
		'assistant-request',
		'tool-calls',
		'transfer-destination-request',
		'knowledge-base-request',
		'hang',
		'transcript',
		'transcript[transcriptType="final"]',
		'conversation-update',
		'speech-update',
		'user-interrupted',
	])('%s', (type) => {
		const payload = withMessage('vapi/status-update.in-progress', (message) => {
			message.type = type;
			delete message.status;
		});
		const parsed = vapi.parse(payload);
		expect(parsed).toMatchObject({ event: type, expectsStream: false, warnings: [] });
		expect(parsed.expectsJsonReply).toBeFalsy();
		expect(parsed.fields).toMatchObject({ eventType: type, sessionId: CALL_ID });
		expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		expect(vapi.deliveryId?.({}, payload)).toBeNull();
	});

	// Through JSON, as a webhook body arrives: `__proto__` becomes an own key there.
	test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
		'a type named %s is an unknown event, passed on as sent',
		(name) => {
			const payload = JSON.parse(JSON.stringify({ message: { type: name, call: { id: 'c-1' } } })) as IDataObject;
			const parsed = vapi.parse(payload);
			expect(parsed).toMatchObject({ event: name, expectsStream: false, warnings: [] });
			expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		},
	);

	test('an envelope key named __proto__ or constructor is not the message', () => {
		const payload = JSON.parse('{"__proto__":{"type":"end-of-call-report"},"constructor":{"type":"x"}}') as IDataObject;
		expect(vapi.parse(payload).event).toBe('unknown');
	});
});

describe('Vapi: deliveryId (derived: Vapi documents none)', () => {
	const id = (payload: IDataObject) => vapi.deliveryId?.({ 'x-signature': 'ab' }, payload);

	test('one per call for its report, one per status the call enters', () => {
		expect(id(fixture('vapi/end-of-call-report'))).toBe(`${CALL_ID}:end-of-call-report`);
		expect(id(fixture('vapi/status-update.in-progress'))).toBe(`${CALL_ID}:status-update:in-progress`);
		expect(id(fixture('vapi/status-update.ended'))).toBe('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d:status-update:ended');
	});

	test('a retry (new timestamp, new presigned URLs) keeps the id', () => {
		const retry = withMessage('vapi/end-of-call-report', (message) => {
			message.timestamp = 1749737343120;
			(message.artifact as IDataObject).presignedMonoUrl = 'https://example.com/other';
		});
		expect(id(retry)).toBe(id(fixture('vapi/end-of-call-report')));
	});

	test.each([
		['no call', { message: { type: 'end-of-call-report' } }],
		['a call id that is not text', { message: { type: 'end-of-call-report', call: { id: { x: 1 } } } }],
		['a status-update without status', { message: { type: 'status-update', call: { id: 'c' } } }],
		['forwarding (a call can be forwarded twice)', { message: { type: 'status-update', status: 'forwarding', call: { id: 'c' } } }],
		['no message', {}],
		['a message that is text', { message: 'end-of-call-report' }],
	])('%s → null (not de-duplicated)', (_, payload) => {
		expect(id(payload as IDataObject)).toBeNull();
	});
});

describe('Vapi transcripts', () => {
	test('roles: bot → assistant, user → user; system, tool_calls and tool_call_result left out', () => {
		expect(
			vapiTranscript([
				{ role: 'system', message: 'prompt', time: 1 },
				{ role: 'bot', message: 'Hello', time: 1749737008120 },
				{ role: 'tool_calls', message: '', toolCalls: [] },
				{ role: 'tool_call_result', result: '{}' },
				{ role: 'user', message: 'Hi', time: 'not a time' },
				{ role: 'constructor', message: 'x' },
			]),
		).toEqual([
			{ role: 'assistant', text: 'Hello', at: '2025-06-12T14:03:28.120Z' },
			{ role: 'user', text: 'Hi', at: null },
		]);
		expect(vapiTranscript(undefined)).toBeNull();
		expect(vapiTranscript('AI: hi')).toBeNull();
	});

	test('the text transcript: speakers, a continued line, unknown speakers', () => {
		expect(vapiTextTranscript('AI: Hello.\nUser: I need\nhelp with a bill.\n\nCustomer: ignored? no: continues\nBot: ok')).toEqual([
			{ role: 'assistant', text: 'Hello.', at: null },
			{ role: 'user', text: 'I need help with a bill. Customer: ignored? no: continues', at: null },
			{ role: 'assistant', text: 'ok', at: null },
		]);
		expect(vapiTextTranscript('no speaker here')).toEqual([]);
		expect(vapiTextTranscript(42)).toBeNull();
	});

	test('messages win over the text transcript when there are spoken ones', () => {
		const fields = vapi.parse(fixture('vapi/end-of-call-report')).fields;
		expect(fields.transcript?.[0].at).not.toBeNull();
	});
});

// Parsing random and mutated payloads is index.test.ts's, for every platform alike.
describe('Vapi: deliveryId never throws', () => {
	const value: fc.Arbitrary<unknown> = fc.oneof(
		fc.constant(null),
		fc.boolean(),
		fc.integer(),
		fc.string({ maxLength: 20 }),
		fc.constantFrom('end-of-call-report', 'status-update', 'in-progress', 'constructor', '__proto__'),
		fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxKeys: 3 }),
	);

	test('random messages: a string or null, the same for the same message', () => {
		fc.assert(
			fc.property(fc.record({ type: value, status: value, call: value }, { requiredKeys: [] }), (message) => {
				const payload = JSON.parse(JSON.stringify({ message })) as IDataObject;
				const id = vapi.deliveryId?.({}, payload);
				expect(id === null || typeof id === 'string').toBe(true);
				expect(vapi.deliveryId?.({}, cloneDeep(payload))).toBe(id);
			}),
			{ numRuns: 300 },
		);
	});
});

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

const SECRET = 'vapi-test-secret-5f1c9d2e7a3b';
const BODY = JSON.stringify(fixture('vapi/end-of-call-report'));
const now = () => Math.floor(Date.now() / 1000);
const SETTINGS: VerificationSettings = {
	header: '',
	algorithm: 'sha256',
	encoding: 'hex',
	prefix: '',
	signatureKey: 'v1',
	toleranceSeconds: 300,
};

function scheme(value: string) {
	const found = vapi.verification.find((offered) => offered.value === value);
	if (!found?.verify) throw new Error(`no scheme ${value}`);
	return found as typeof found & { verify: NonNullable<typeof found.verify> };
}
const verify = (value: string, headers: IncomingHttpHeaders, body = BODY, secret = SECRET, settings = SETTINGS) =>
	scheme(value).verify({ headers, body: Buffer.from(body) }, secret, settings);

/**
 * Signs as a Vapi HMAC credential configured by `plan` does, following each field's documentation in
 * @vapi-ai/server-sdk's HmacAuthenticationPlan (defaults: x-signature, x-timestamp, '{timestamp}.{body}', hex).
 */
function signPerPlan(plan: Vapi.HmacAuthenticationPlan, body: string, timestamp: number | string): Record<string, string> {
	const format = plan.payloadFormat ?? (plan.includeTimestamp === false ? '{body}' : '{timestamp}.{body}');
	const payload = format.split('{timestamp}').join(String(timestamp)).split('{body}').join(body);
	const key = plan.secretIsBase64 ? Buffer.from(plan.secretKey, 'base64') : plan.secretKey;
	const signature = createHmac(plan.algorithm, key).update(payload).digest(plan.signatureEncoding ?? 'hex');
	return {
		[(plan.signatureHeader ?? 'x-signature').toLowerCase()]: `${plan.signaturePrefix ?? ''}${signature}`,
		[(plan.timestampHeader ?? 'x-timestamp').toLowerCase()]: String(timestamp),
	};
}
const DEFAULT_PLAN: Vapi.HmacAuthenticationPlan = { secretKey: SECRET, algorithm: 'sha256' };

describe('Vapi verification: the schemes offered', () => {
	test('Bearer Token (Vapi’s recommended setup) is the default; HMAC, the legacy header and None are offered', () => {
		expect(vapi.verification.map((offered) => offered.value)).toEqual(['vapiBearerToken', 'vapiHmac', 'vapiSecret', 'none']);
		expect(vapi.defaultVerification).toBe('vapiBearerToken');
		expect(platformById('vapi')).toBe(vapi);
	});

	test('each keeps its key in the Webhook Secret credential as text; only HMAC has a timestamp', () => {
		for (const value of ['vapiBearerToken', 'vapiHmac', 'vapiSecret']) expect(scheme(value).key).toBe('textSecret');
		expect(scheme('vapiHmac').parameters).toEqual(['toleranceSeconds']);
		expect(scheme('vapiBearerToken').parameters).toBeUndefined();
		expect(scheme('vapiSecret').parameters).toBeUndefined();
	});
});

describe('Vapi verification: HMAC (x-signature over {timestamp}.{body})', () => {
	test('a request signed per HmacAuthenticationPlan’s defaults is accepted; the test signer makes the same headers', () => {
		const timestamp = now();
		const headers = signPerPlan(DEFAULT_PLAN, BODY, timestamp);
		expect(signVapiHmac(BODY, SECRET, timestamp)).toEqual(headers);
		expect(verify('vapiHmac', headers)).toEqual({ valid: true });
	});

	test('a fixed vector', () => {
		const headers = { 'x-timestamp': '1749737283', 'x-signature': createHmac('sha256', SECRET).update(`1749737283.${BODY}`).digest('hex') };
		const at = { ...SETTINGS, toleranceSeconds: now() - 1749737283 + 60 };
		expect(verify('vapiHmac', headers, BODY, SECRET, at)).toEqual({ valid: true });
	});

	test('a timestamp in milliseconds (the unit is not documented) is accepted and signed as sent', () => {
		const ms = Date.now();
		expect(verify('vapiHmac', signPerPlan(DEFAULT_PLAN, BODY, ms))).toEqual({ valid: true });
		expect(verify('vapiHmac', signPerPlan(DEFAULT_PLAN, BODY, ms - 3_600_000))).toEqual({ valid: false, reason: 'timestamp too old' });
	});

	test('upper-case hex is the same signature', () => {
		const headers = signVapiHmac(BODY, SECRET);
		expect(verify('vapiHmac', { ...headers, 'x-signature': headers['x-signature'].toUpperCase() })).toEqual({ valid: true });
	});

	test.each([
		['wrong secret', () => signVapiHmac(BODY, 'another-secret-of-enough-length'), BODY, 'signature mismatch'],
		['tampered body', () => signVapiHmac(BODY, SECRET), BODY.replace('customer-ended-call', 'assistant-ended-call'), 'signature mismatch'],
		['stale timestamp', () => signVapiHmac(BODY, SECRET, now() - 301), BODY, 'timestamp too old'],
		['future timestamp', () => signVapiHmac(BODY, SECRET, now() + 301), BODY, 'timestamp in the future'],
		['a signed timestamp changed in transit', () => ({ ...signVapiHmac(BODY, SECRET), 'x-timestamp': String(now() - 1) }), BODY, 'signature mismatch'],
		['missing signature', () => ({ 'x-timestamp': String(now()) }), BODY, 'missing signature headers'],
		['missing timestamp', () => ({ 'x-signature': signVapiHmac(BODY, SECRET)['x-signature'] }), BODY, 'missing signature headers'],
		['no headers', () => ({}), BODY, 'missing signature headers'],
		['empty signature', () => ({ ...signVapiHmac(BODY, SECRET), 'x-signature': ' ' }), BODY, 'malformed signature header'],
		['signature not hex', () => ({ ...signVapiHmac(BODY, SECRET), 'x-signature': 'zz-not-hex' }), BODY, 'signature mismatch'],
		['a base64 signature (a non-default plan)', () => signPerPlan({ ...DEFAULT_PLAN, signatureEncoding: 'base64' }, BODY, now()), BODY, 'signature mismatch'],
		['SHA-512 (a non-default plan)', () => signPerPlan({ ...DEFAULT_PLAN, algorithm: 'sha512' }, BODY, now()), BODY, 'signature mismatch'],
		['a sha256= prefix (a non-default plan)', () => signPerPlan({ ...DEFAULT_PLAN, signaturePrefix: 'sha256=' }, BODY, now()), BODY, 'signature mismatch'],
		['timestamp not a number', () => ({ ...signVapiHmac(BODY, SECRET), 'x-timestamp': '12e9' }), BODY, 'invalid timestamp'],
		['negative timestamp', () => signPerPlan(DEFAULT_PLAN, BODY, '-1749737283'), BODY, 'invalid timestamp'],
		['timestamp with 17 digits', () => signPerPlan(DEFAULT_PLAN, BODY, '17497372830000000'), BODY, 'invalid timestamp'],
		['timestamp zero', () => signPerPlan(DEFAULT_PLAN, BODY, 0), BODY, 'invalid timestamp'],
	])('%s → refused', (_, headers, body, reason) => {
		expect(verify('vapiHmac', headers(), body)).toEqual({ valid: false, reason });
	});

	test('a short secret is refused before anything is computed', () => {
		expect(verify('vapiHmac', signVapiHmac(BODY, 'short'), BODY, 'short')).toEqual({ valid: false, reason: SECRET_TOO_SHORT });
	});

	test('the Timestamp Tolerance setting applies', () => {
		const headers = signVapiHmac(BODY, SECRET, now() - 600);
		expect(verify('vapiHmac', headers)).toEqual({ valid: false, reason: 'timestamp too old' });
		expect(verify('vapiHmac', headers, BODY, SECRET, { ...SETTINGS, toleranceSeconds: 900 })).toEqual({ valid: true });
		expect(verify('vapiHmac', headers, BODY, SECRET, { ...SETTINGS, toleranceSeconds: NaN })).toEqual({ valid: false, reason: 'invalid tolerance' });
	});
});

describe('Vapi verification: Bearer Token in Authorization', () => {
	test.each([`Bearer ${SECRET}`, `bearer ${SECRET}`, `BEARER  ${SECRET} `])('%j is accepted', (authorization) => {
		expect(verify('vapiBearerToken', { authorization })).toEqual({ valid: true });
	});

	test.each([
		['a wrong token', { authorization: 'Bearer another-secret-of-enough-length' }, 'secret mismatch'],
		['the secret with a suffix', { authorization: `Bearer ${SECRET}x` }, 'secret mismatch'],
		['a prefix of the secret', { authorization: `Bearer ${SECRET.slice(0, -1)}` }, 'secret mismatch'],
		['no Bearer prefix', { authorization: SECRET }, 'malformed authorization header'],
		['another scheme', { authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')}` }, 'malformed authorization header'],
		['Bearer without a token', { authorization: 'Bearer ' }, 'malformed authorization header'],
		['two tokens', { authorization: `Bearer ${SECRET} ${SECRET}` }, 'malformed authorization header'],
		['missing', {}, 'missing authorization header'],
		['only the legacy header', { 'x-vapi-secret': SECRET }, 'missing authorization header'],
	])('%s → refused', (_, headers, reason) => {
		expect(verify('vapiBearerToken', headers)).toEqual({ valid: false, reason });
	});

	test('a short secret is refused', () => {
		expect(verify('vapiBearerToken', { authorization: 'Bearer short' }, BODY, 'short')).toEqual({ valid: false, reason: SECRET_TOO_SHORT });
	});

	test('the body is not covered (as Vapi documents the Bearer credential): a changed body still passes', () => {
		expect(verify('vapiBearerToken', { authorization: `Bearer ${SECRET}` }, '{"message":{}}')).toEqual({ valid: true });
	});
});

describe('Vapi verification: legacy X-Vapi-Secret', () => {
	test('the secret verbatim is accepted', () => {
		expect(verify('vapiSecret', { 'x-vapi-secret': SECRET })).toEqual({ valid: true });
	});

	test.each([
		['a wrong secret', { 'x-vapi-secret': 'another-secret-of-enough-length' }, 'secret mismatch'],
		['with a Bearer prefix', { 'x-vapi-secret': `Bearer ${SECRET}` }, 'secret mismatch'],
		['with surrounding spaces', { 'x-vapi-secret': ` ${SECRET}` }, 'secret mismatch'],
		['missing', {}, 'missing secret header'],
		['only in Authorization', { authorization: `Bearer ${SECRET}` }, 'missing secret header'],
	])('%s → refused', (_, headers, reason) => {
		expect(verify('vapiSecret', headers)).toEqual({ valid: false, reason });
	});

	test('a short secret is refused', () => {
		expect(verify('vapiSecret', { 'x-vapi-secret': 'short' }, BODY, 'short')).toEqual({ valid: false, reason: SECRET_TOO_SHORT });
	});
});

describe('Vapi through the trigger’s webhook(): the Verification parameter picks the scheme', () => {
	const body = fixtureText('vapi/end-of-call-report');
	const deliver = (parameters: Record<string, unknown>, headers: Record<string, string>) =>
		deliverToTrigger({ parameters: { platform: 'vapi', ...parameters }, credential: { webhookSecret: SECRET }, body, headers });

	test.each([
		['the default (Bearer Token)', {}, { authorization: `Bearer ${SECRET}` }],
		['HMAC', { verification: 'vapiHmac' }, signVapiHmac(body, SECRET)],
		['X-Vapi-Secret', { verification: 'vapiSecret' }, { 'x-vapi-secret': SECRET }],
	])('%s: a genuine report starts the workflow with session.ended', async (_, parameters, headers) => {
		const outcome = await deliver(parameters, headers);
		expect(outcome.status).toBe(200);
		expect(outcome.item).toMatchObject({ provider: 'vapi', event: 'session.ended', deliveryId: `${CALL_ID}:end-of-call-report` });
	});

	test.each([
		['the default refuses the legacy header', {}, { 'x-vapi-secret': SECRET }, 'missing authorization header'],
		['HMAC refuses a Bearer token', { verification: 'vapiHmac' }, { authorization: `Bearer ${SECRET}` }, 'missing signature headers'],
		['X-Vapi-Secret refuses a Bearer token', { verification: 'vapiSecret' }, { authorization: `Bearer ${SECRET}` }, 'missing secret header'],
		['HMAC refuses a stale signature', { verification: 'vapiHmac' }, signVapiHmac(body, SECRET, now() - 301), 'timestamp too old'],
	])('%s: 401, no execution', async (_, parameters, headers, reason) => {
		const outcome = await deliver(parameters, headers);
		expect(outcome.item).toBeUndefined();
		expect(outcome.status).toBe(401);
		expect(outcome.answer).toEqual({ error: 'unauthorized', reason });
	});

	test('Timestamp Tolerance applies to HMAC', async () => {
		const headers = signVapiHmac(body, SECRET, now() - 600);
		expect((await deliver({ verification: 'vapiHmac' }, headers)).status).toBe(401);
		expect((await deliver({ verification: 'vapiHmac', toleranceSeconds: 900 }, headers)).status).toBe(200);
	});
});

describe('Vapi in the trigger’s panel', () => {
	const trigger = new VoiceAgentTrigger();
	/** The parameters the editor shows for these values (n8n's own displayOptions check). */
	const shownFor = (parameters: INodeParameters) =>
		triggerProperties
			.filter((property) => property.type !== 'hidden' && property.type !== 'notice')
			.filter((property) => NodeHelpers.displayParameter(parameters, property, triggerNodeWith(parameters), trigger.description))
			.map((property) => property.name);

	test.each([
		['vapiBearerToken', ['platform', 'verification', 'events', 'triggerOptions']],
		['vapiSecret', ['platform', 'verification', 'events', 'triggerOptions']],
		['vapiHmac', ['platform', 'verification', 'toleranceSeconds', 'events', 'triggerOptions']],
	])('%s shows no header, algorithm or encoding setting (Vapi’s defaults are fixed)', (verification, shown) => {
		expect(shownFor({ platform: 'vapi', verification })).toEqual(shown);
	});

	test('a new node’s Verification is Bearer Token; the Events offered are the three Vapi sends', () => {
		const verification = triggerProperties.find(
			(property) => property.name === 'verification' && property.displayOptions?.show?.platform?.includes('vapi'),
		);
		expect(verification?.default).toBe('vapiBearerToken');
		const events = triggerProperties.find((property) => property.name === 'events' && property.displayOptions?.show?.platform?.includes('vapi'));
		expect((events?.options ?? []).map((option) => ('value' in option ? option.value : ''))).toEqual([
			'*',
			'session.ended',
			'session.started',
			'session.updated',
			'other',
		]);
	});
});
