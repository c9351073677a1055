import fc from 'fast-check';
import cloneDeep from 'lodash/cloneDeep';
import set from 'lodash/set';
import type { IDataObject } from 'n8n-workflow';

import { fixture, fixtureNames } from '../../../helpers/fixtures';
import { buildEvent } from '../../../../../nodes/shared/VoiceAgentEvent';
import { agntix } from '../../../../../nodes/shared/platforms/agntix';
import { KNOWN_EVENTS } from '../../../../../nodes/shared/events';
import { platformById, PLATFORMS } from '../../../../../nodes/shared/platforms/index';
import { layercode } from '../../../../../nodes/shared/platforms/layercode';
import { otherPlatform as other } from '../../../../../nodes/shared/platforms/other';
import { elevenLabs } from '../../../../../nodes/shared/platforms/elevenlabs';
import { retell } from '../../../../../nodes/shared/platforms/retell';
import { speakNode } from '../../../../../nodes/shared/platforms/speaknode';
import { vapi } from '../../../../../nodes/shared/platforms/vapi';

/** A platform this package knows. */
function moduleFor(platform: string) {
	const module = platformById(platform);
	if (!module) throw new Error(`no platform ${platform}`);
	return module;
}

/** The generic platform with its Event Field set to `field`. */
const otherPlatform = (field: string) => ({
	parse: (payload: IDataObject) => other.parse(payload, (name) => (name === 'eventField' ? field : null)),
});

describe('platformById', () => {
	test.each([
		['agntix', agntix],
		['elevenlabs', elevenLabs],
		['layercode', layercode],
		['retell', retell],
		['speaknode', speakNode],
		['vapi', vapi],
		['other', other],
	])('%s → its platform', (id, module) => {
		expect(platformById(id)).toBe(module);
	});

	test('other reads the configured field; without one, `type`', () => {
		expect(otherPlatform('event_type').parse({ event_type: 'call.ended' }).event).toBe('call.ended');
		expect(otherPlatform('message.type').parse({ message: { type: 'end-of-call-report' } }).event).toBe('end-of-call-report');
		expect(other.parse({ type: 'call.ended' }).event).toBe('call.ended');
	});

	// Bug: any unknown platform fell back to the generic module, and its hidden Verification to None.
	test.each(['vapi-next', 'Agntix', '', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 42, null, undefined])(
		'audit #5: a platform this version does not know (%j) has none',
		(platform) => {
			expect(platformById(platform)).toBeUndefined();
		},
	);

	test('ids are unique and the Platform dropdown lists Other last', () => {
		const ids = PLATFORMS.map((platform) => platform.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids[ids.length - 1]).toBe('other');
	});

	test('KNOWN_EVENTS holds every event a platform lists and every name the parsers produce from the fixtures', () => {
		for (const platform of PLATFORMS) for (const event of platform.events) expect(KNOWN_EVENTS.has(event.value)).toBe(true);
		const produced = new Set(
			(['agntix', 'elevenlabs', 'layercode', 'retell', 'speaknode', 'vapi'] as const).flatMap((platform) =>
				fixtureNames(platform)
					// ElevenLabs' audio event is passed on as sent, on purpose (no analysis, base64 MP3).
					.filter((name) => name !== 'elevenlabs/post_call_audio')
					.map((name) => moduleFor(platform).parse(fixture(name)).event),
			),
		);
		for (const event of produced) expect(KNOWN_EVENTS.has(event)).toBe(true);
	});

	test.each(PLATFORMS.map((platform) => [platform.id, platform] as const))(
		'%s: its default verification is one it offers, and a scheme value means the same scheme everywhere',
		(_id, platform) => {
			expect(platform.verification.map((scheme) => scheme.value)).toContain(platform.defaultVerification);
			for (const scheme of platform.verification) {
				for (const elsewhere of PLATFORMS.flatMap((p) => p.verification).filter((s) => s.value === scheme.value)) {
					expect({ key: elsewhere.key, parameters: elsewhere.parameters }).toEqual({ key: scheme.key, parameters: scheme.parameters });
				}
			}
		},
	);
});

describe('otherPlatform', () => {
	test('reads the event from a top-level or dotted path; nothing else is guessed', () => {
		expect(otherPlatform('type').parse({ type: 'call.started', id: 'x' })).toEqual({
			event: 'call.started',
			expectsStream: false,
			warnings: [],
			fields: { eventType: 'call.started' },
		});
		expect(otherPlatform('data.event').parse({ data: { event: 'Hangup' } }).event).toBe('Hangup');
	});

	test('a numeric event name is kept as text', () => {
		expect(otherPlatform('code').parse({ code: 42 }).event).toBe('42');
	});

	test('the event field is read through own keys only', () => {
		expect(otherPlatform('constructor').parse({ type: 'x' })).toMatchObject({ event: 'unknown', fields: { eventType: null } });
		expect(otherPlatform('data.toString').parse({ data: {} }).event).toBe('unknown');
		expect(otherPlatform('constructor').parse(JSON.parse('{"constructor":"call.ended"}') as IDataObject).event).toBe('call.ended');
		expect(otherPlatform('__proto__').parse(JSON.parse('{"__proto__":"call.ended"}') as IDataObject).event).toBe('call.ended');
	});

	test('no event name → "unknown" and a warning naming the field', () => {
		expect(otherPlatform('type').parse({ kind: 'x' })).toMatchObject({
			event: 'unknown',
			warnings: ['type: no event name in this field'],
			fields: { eventType: null },
		});
		expect(otherPlatform('type').parse({ type: { nested: true } }).event).toBe('unknown');
	});
});

// ---------------------------------------------------------------------------------------------
// Properties: whatever arrives, parsing never throws and the output keeps its shape.
// ---------------------------------------------------------------------------------------------

// Names JavaScript objects inherit: an event name, type or key equal to one must be an ordinary string.
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

// Strict: any number JSON can carry (out of the Date range too) and names Object.prototype has.
// A failure on a random seed is a bug found, not noise: fast-check prints the seed to replay it.
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constant(null),
		fc.boolean(),
		fc.integer(),
		fc.double({ noNaN: true, noDefaultInfinity: true }),
		fc.constantFrom(1e20, -1e20, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 8.64e15 + 1),
		fc.string({ maxLength: 30 }),
		fc.constantFrom('2025-06-12T14:03:27.512Z', 'MESSAGE', 'message', 'session.end', 'Message', 'User', ''),
		fc.constantFrom(...PROTOTYPE_NAMES, 'CONSTRUCTOR', '__PROTO__'),
		fc.array(tie('value'), { maxLength: 4 }),
		fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
	),
})).value;

/** Where each module reads the event name (a lodash path): written with every kind of value, prototype names included. */
const EVENT_FIELD = { agntix: 'eventType', elevenlabs: 'type', layercode: 'type', retell: 'event', speaknode: 'event', vapi: 'message.type' } as const;

/** Every path (lodash style) inside a fixture, so mutations land where the parsers look. */
function paths(object: unknown, prefix: string[] = []): string[][] {
	if (object === null || typeof object !== 'object') return [prefix];
	const entries = Array.isArray(object) ? object.map((item, index) => [String(index), item] as const) : Object.entries(object);
	return [prefix, ...entries.flatMap(([key, item]) => paths(item, [...prefix, key]))].filter((path) => path.length > 0);
}

const MODULES = [
	['agntix', agntix],
	['elevenlabs', elevenLabs],
	['layercode', layercode],
	['retell', retell],
	['speaknode', speakNode],
	['vapi', vapi],
] as const;

const checkShape = (platform: string, payload: IDataObject) => {
	const module = moduleFor(platform);
	const parsed = module.parse(payload);
	expect(typeof parsed.event).toBe('string');
	expect(parsed.event.length).toBeGreaterThan(0);
	expect(typeof parsed.expectsStream).toBe('boolean');
	expect(Array.isArray(parsed.warnings) && parsed.warnings.every((warning: unknown) => typeof warning === 'string')).toBe(true);
	const event = buildEvent(module.id, parsed.event, parsed.fields, payload, null);
	expect(Object.values(event)).not.toContain(undefined);
	for (const entry of event.transcript ?? []) {
		expect(typeof entry.role).toBe('string');
		expect(typeof entry.text).toBe('string');
		expect(entry.at === null || !Number.isNaN(Date.parse(entry.at))).toBe(true);
	}
	if (event.startedAt !== null) expect(Number.isNaN(Date.parse(event.startedAt))).toBe(false);
};

describe.each(MODULES)('%s: parsing never throws', (platform) => {
	test('random objects', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.string({ maxLength: 16 }), value, { maxKeys: 8 }), (payload) => {
				checkShape(platform, payload as IDataObject);
			}),
			{ numRuns: 300 },
		);
	});

	test('audit #4: random values, Object.prototype names included, as the event name', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.string({ maxLength: 16 }), value, { maxKeys: 6 }), value, (payload, event) => {
				checkShape(platform, set(cloneDeep(payload), EVENT_FIELD[platform], event) as IDataObject);
			}),
			{ numRuns: 300 },
		);
	});

	const names = fixtureNames(platform);
	test.each(names)('%s with random values written at random existing paths', (name) => {
		const base = fixture(name);
		const known = paths(base);
		fc.assert(
			fc.property(fc.array(fc.tuple(fc.constantFrom(...known), value), { minLength: 1, maxLength: 4 }), (mutations) => {
				const payload = cloneDeep(base);
				for (const [path, replacement] of mutations) set(payload, path, replacement);
				// Through JSON, as a webhook body arrives (no sparse arrays, no undefined).
				checkShape(platform, JSON.parse(JSON.stringify(payload)) as IDataObject);
			}),
			{ numRuns: 100 },
		);
	});
});

// Bug: the modules looked event names up in plain objects, so `constructor` found Object's
// constructor: Layercode called `.refine` on it and threw (n8n answered 500 and recorded a failed
// execution), the others returned a function or an object as the event name.
describe('audit #4: event names equal to Object.prototype members', () => {
	const payloads = {
		agntix: (name: string) => ({ id: 's-1', eventType: name, type: 'VOICE' }),
		elevenlabs: (name: string) => ({ type: name, event_timestamp: 1, data: { conversation_id: 'c-1' } }),
		layercode: (name: string) => ({ type: name, session_id: 's-1' }),
		retell: (name: string) => ({ event: name, call: { call_id: 'c-1' } }),
		speaknode: (name: string) => ({ event: name, data: { session_id: 's-1' } }),
		vapi: (name: string) => ({ message: { type: name, call: { id: 's-1' } } }),
		other: (name: string) => ({ type: name }),
	};
	const cases = Object.keys(payloads).flatMap((platform) =>
		['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((name) => [platform, name] as const),
	);

	test.each(cases)('audit #4: %s: %s is an unknown event, passed on as sent', (platform, name) => {
		// Through JSON, as a webhook body arrives: `__proto__` becomes an own key there.
		const payload = JSON.parse(JSON.stringify(payloads[platform as keyof typeof payloads](name))) as IDataObject;
		const parsed = moduleFor(platform).parse(payload);
		expect(parsed.event).toBe(name);
		expect(KNOWN_EVENTS.has(parsed.event)).toBe(false);
		expect(parsed.expectsStream).toBe(false);
		expect(parsed.fields.eventType).toBe(name);
	});
});
