import type { IDataObject } from 'n8n-workflow';

import { fixture } from '../../../helpers/fixtures';
import { buildEvent } from '../../../../../nodes/shared/VoiceAgentEvent';
import { agntix } from '../../../../../nodes/shared/platforms/agntix';

const SESSION_ID = '3f6c2a9e-8b1d-4c7e-9a52-1d0e7b4f6a21';
const AGENT_ID = 'a7d4e1c2-5b3f-4e8a-b9c6-2f1e0d9c8b7a';
const VARIABLES = { crmContactId: '0035g00000XyZabAAB', taskId: 'T-20931', campaign: 'renewals-q2' };

/** session.ended with its analysis replaced (or removed with `undefined`). */
function endedWith(analysis: unknown): IDataObject {
	const payload = fixture('agntix/session.ended');
	if (analysis === undefined) delete payload.analysis;
	else payload.analysis = analysis as IDataObject;
	return payload;
}

describe('Agntix: session.created', () => {
	const parsed = agntix.parse(fixture('agntix/session.created'));

	test('→ session.started, no stream, no warnings', () => {
		expect(parsed.event).toBe('session.started');
		expect(parsed.expectsStream).toBe(false);
		expect(parsed.warnings).toEqual([]);
	});

	test('normalised fields', () => {
		expect(parsed.fields).toEqual({
			eventType: 'session.created',
			sessionId: SESSION_ID,
			agentId: AGENT_ID,
			channel: 'VOICE',
			platform: 'PHONE',
			direction: 'INBOUND',
			from: '+14155550123',
			to: null,
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: null,
			summary: null,
			intent: null,
			resolution: null,
			sentiment: null,
			extracted: {},
			variables: VARIABLES,
		});
	});

	test('the session variables (CRM correlation ids) are echoed verbatim', () => {
		expect(parsed.fields.variables).toEqual(VARIABLES);
	});
});

describe('Agntix: session.ended with the full analysis', () => {
	const parsed = agntix.parse(fixture('agntix/session.ended'));

	test('→ session.ended, no stream, no warnings', () => {
		expect(parsed.event).toBe('session.ended');
		expect(parsed.expectsStream).toBe(false);
		expect(parsed.warnings).toEqual([]);
	});

	test('normalised fields', () => {
		expect(parsed.fields).toEqual({
			eventType: 'session.ended',
			sessionId: SESSION_ID,
			agentId: AGENT_ID,
			channel: 'VOICE',
			platform: 'PHONE',
			direction: 'INBOUND',
			from: '+14155550123',
			to: null,
			startedAt: '2025-06-12T14:03:27.512Z',
			endedAt: '2025-06-12T14:08:01.917Z',
			summary: expect.stringMatching(/^The caller, Dana Whitfield, phoned about renewing/),
			intent: 'subscription_renewal',
			resolution: 'RESOLVED',
			sentiment: 'POSITIVE',
			extracted: {
				customerName: 'Dana Whitfield',
				accountNumber: 'ACC-558120',
				plan: 'Pro',
				renewalDate: '2025-06-28',
				billingPreference: 'annual_invoice',
				discountPercent: 15,
				followUpRequired: true,
				followUpNote: 'Email a copy of the 2024 annual invoice',
			},
			variables: VARIABLES,
		});
	});

	test('buildEvent gives the same keys as for every other platform', () => {
		const payload = fixture('agntix/session.ended');
		const event = buildEvent('agntix', parsed.event, parsed.fields, payload, 'msg_1');
		expect(event).toMatchObject({ provider: 'agntix', event: 'session.ended', conversationId: null, turnId: null, text: null, transcript: null, recordingUrl: null });
		expect(event.raw).toBe(payload);
	});

	test('durationSeconds is computed from createdAt and endedAt (Agntix sends no duration)', () => {
		const event = buildEvent('agntix', parsed.event, parsed.fields, fixture('agntix/session.ended'), 'msg_1');
		expect(event.durationSeconds).toBe(274.405); // 14:03:27.512 → 14:08:01.917
	});
});

describe('Agntix: sentiment in every accepted form', () => {
	test.each([
		['a flat label', 'NEGATIVE', 'NEGATIVE'],
		['a flat object', { sentiment: 'NEUTRAL', score: 0.02, detectedLanguage: 'de' }, 'NEUTRAL'],
		['nested under conversation', { conversation: { sentiment: 'POSITIVE', score: 0.7, detectedLanguage: 'en' } }, 'POSITIVE'],
		['a flat object using `label`', { label: 'NEGATIVE', score: -0.6 }, 'NEGATIVE'],
		['nested, using `label`', { conversation: { label: 'NEUTRAL' } }, 'NEUTRAL'],
	])('%s', (_, sentiment, label) => {
		const parsed = agntix.parse(endedWith({ sentiment }));
		expect(parsed.fields.sentiment).toBe(label);
		expect(parsed.warnings).toEqual([]);
	});

	test.each([
		['null', null],
		['an empty object', {}],
		['a null conversation block', { conversation: null }],
	])('%s → null, no warning', (_, sentiment) => {
		const parsed = agntix.parse(endedWith({ sentiment }));
		expect(parsed.fields.sentiment).toBeNull();
		expect(parsed.warnings).toEqual([]);
	});
});

describe('Agntix: optional analysis blocks', () => {
	test('no analysis at all (analysis disabled) → nulls, no warnings', () => {
		const parsed = agntix.parse(endedWith(undefined));
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toMatchObject({ summary: null, intent: null, resolution: null, sentiment: null, extracted: {} });
	});

	test('analysis: null → nulls, no warnings', () => {
		const parsed = agntix.parse(endedWith(null));
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields.summary).toBeNull();
	});

	test('each block may be null', () => {
		const parsed = agntix.parse(
			endedWith({ summary: null, intent: null, resolution: null, sentiment: null, extractedData: null }),
		);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toMatchObject({ summary: null, intent: null, resolution: null, sentiment: null, extracted: {} });
	});

	test('only the message intent → no conversation intent', () => {
		const parsed = agntix.parse(endedWith({ intent: { message: { intent: 'cancel', confidence: 0.5 } } }));
		expect(parsed.fields.intent).toBeNull();
		expect(parsed.warnings).toEqual([]);
	});

	test('unknown keys (recording link, durations: names not yet known) pass through without warnings', () => {
		const payload = fixture('agntix/session.ended');
		Object.assign(payload, { recordingUrl: 'https://cdn.agntix.ai/rec/1.ogg', durationSeconds: 274, cost: { usd: 0.12 } });
		Object.assign(payload.analysis as IDataObject, { keywords: ['renewal'], custom: { x: 1 } });
		Object.assign((payload.analysis as IDataObject).resolution as IDataObject, { reviewer: 'auto' });
		const parsed = agntix.parse(payload);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.event).toBe('session.ended');
	});

	test('null metadata and null optional top-level fields are accepted', () => {
		const payload = fixture('agntix/session.created');
		Object.assign(payload, { metadata: null, platform: null, direction: null, agentId: null, state: null });
		const parsed = agntix.parse(payload);
		expect(parsed.warnings).toEqual([]);
		expect(parsed.fields).toMatchObject({ variables: {}, from: null, to: null, platform: null, agentId: null });
	});
});

describe('Agntix: direction decides whether the customer is caller or callee', () => {
	test('OUTBOUND: the customer is `to`', () => {
		const payload = fixture('agntix/session.created');
		payload.direction = 'OUTBOUND';
		expect(agntix.parse(payload).fields).toMatchObject({ from: null, to: '+14155550123', direction: 'OUTBOUND' });
	});

	test('INBOUND: the customer is `from`', () => {
		expect(agntix.parse(fixture('agntix/session.created')).fields).toMatchObject({ from: '+14155550123', to: null });
	});

	test('CHAT on WHATSAPP is carried as channel and platform', () => {
		const payload = fixture('agntix/session.created');
		Object.assign(payload, { type: 'CHAT', platform: 'WHATSAPP' });
		expect(agntix.parse(payload).fields).toMatchObject({ channel: 'CHAT', platform: 'WHATSAPP' });
	});
});

describe('Agntix: event names', () => {
	test('the name is read from eventType, never from type (the channel)', () => {
		const payload = fixture('agntix/session.created');
		payload.type = 'session.ended';
		expect(agntix.parse(payload).event).toBe('session.started');
	});

	test.each(['session.updated'])('%s (planned) → session.updated', (eventType) => {
		const payload = { ...fixture('agntix/session.created'), eventType };
		expect(agntix.parse(payload)).toMatchObject({ event: 'session.updated', warnings: [] });
	});

	test.each(['message.added', 'usage.updated', 'subscription.updated', 'knowledge_store.updated', 'Something.New'])(
		'%s (not yet delivered) passes through as itself',
		(eventType) => {
			const payload = { ...fixture('agntix/session.created'), eventType };
			expect(agntix.parse(payload)).toMatchObject({ event: eventType, expectsStream: false, warnings: [] });
		},
	);
});

describe('Agntix: departures from the schema are warnings, not errors', () => {
	test('missing eventType → event "unknown" and a warning', () => {
		const payload = fixture('agntix/session.created');
		delete payload.eventType;
		const parsed = agntix.parse(payload);
		expect(parsed.event).toBe('unknown');
		expect(parsed.warnings).toEqual(['eventType: Required']);
	});

	test('missing id → a warning, sessionId null', () => {
		const payload = fixture('agntix/session.ended');
		delete payload.id;
		const parsed = agntix.parse(payload);
		expect(parsed.warnings).toEqual(['id: Required']);
		expect(parsed.fields.sessionId).toBeNull();
		expect(parsed.event).toBe('session.ended');
	});

	test('wrong types deep in the analysis → warnings with their path', () => {
		const parsed = agntix.parse(
			endedWith({
				resolution: { classification: 'RESOLVED', confidenceScore: 'high' },
				intent: { conversation: { intent: 42 } },
			}),
		);
		expect(parsed.warnings).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/^analysis\.resolution\.confidenceScore: /),
				expect.stringMatching(/^analysis\.intent\.conversation\.intent: /),
			]),
		);
		// What can be read still is.
		expect(parsed.fields.resolution).toBe('RESOLVED');
		expect(parsed.fields.intent).toBe('42');
	});

	test('sessionVariables that are not an object → warning, empty variables', () => {
		const payload = fixture('agntix/session.created');
		(payload.metadata as IDataObject).sessionVariables = 'crm=1';
		const parsed = agntix.parse(payload);
		expect(parsed.warnings).toEqual([expect.stringMatching(/^metadata\.sessionVariables: /)]);
		expect(parsed.fields.variables).toEqual({});
	});

	test('an empty object → warnings, no throw', () => {
		const parsed = agntix.parse({});
		expect(parsed.event).toBe('unknown');
		expect(parsed.warnings).toEqual(expect.arrayContaining(['id: Required', 'eventType: Required']));
	});

	test('an unparseable createdAt → startedAt null', () => {
		const payload = fixture('agntix/session.created');
		payload.createdAt = 'not a date';
		expect(agntix.parse(payload).fields.startedAt).toBeNull();
	});
});
