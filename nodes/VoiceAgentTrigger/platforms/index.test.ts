import fc from 'fast-check';
import cloneDeep from 'lodash/cloneDeep';
import set from 'lodash/set';
import type { IDataObject } from 'n8n-workflow';

import { fixture, fixtureNames } from '../../../test/unit/helpers/fixtures';
import { buildEvent } from '../../shared/VoiceAgentEvent';
import { agntix } from './agntix';
import { KNOWN_EVENTS, platformModule } from './index';
import { layercode } from './layercode';
import { otherPlatform } from './other';
import { speakNode } from './speaknode';

describe('platformModule', () => {
	test.each([
		['agntix', agntix],
		['layercode', layercode],
		['speaknode', speakNode],
	])('%s → its module', (id, module) => {
		expect(platformModule(id, 'type')).toBe(module);
	});

	test('anything else → the generic module reading the configured field', () => {
		const module = platformModule('other', 'event_type');
		expect(module.id).toBe('other');
		expect(module.parse({ event_type: 'call.ended' }).event).toBe('call.ended');
		expect(platformModule('vapi', 'message.type').parse({ message: { type: 'end-of-call-report' } }).event).toBe(
			'end-of-call-report',
		);
	});

	test('KNOWN_EVENTS lists every normalised name the modules produce', () => {
		expect([...KNOWN_EVENTS].sort()).toEqual(
			['client.data', 'session.ended', 'session.started', 'session.updated', 'turn.message', 'turn.welcome'].sort(),
		);
		const produced = new Set(
			(['agntix', 'layercode', 'speaknode'] as const).flatMap((platform) =>
				fixtureNames(platform).map((name) => platformModule(platform, 'type').parse(fixture(name)).event),
			),
		);
		for (const event of produced) expect(KNOWN_EVENTS.has(event)).toBe(true);
	});
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

// Numbers stay inside the Date range here: out-of-range timestamps are a known bug covered by an
// explicit test (VoiceAgentEvent.test.ts), and a property that fails only on a random seed is noise.
const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		fc.constant(null),
		fc.boolean(),
		fc.integer({ min: -1e9, max: 4e12 }),
		fc.double({ min: -1e6, max: 1e6, noNaN: true }),
		fc.string({ maxLength: 30 }),
		fc.constantFrom('2025-06-12T14:03:27.512Z', 'MESSAGE', 'message', 'session.end', 'Message', 'User', ''),
		fc.array(tie('value'), { maxLength: 4 }),
		fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 4 }),
	),
})).value;

/** Every path (lodash style) inside a fixture, so mutations land where the parsers look. */
function paths(object: unknown, prefix: string[] = []): string[][] {
	if (object === null || typeof object !== 'object') return [prefix];
	const entries = Array.isArray(object) ? object.map((item, index) => [String(index), item] as const) : Object.entries(object);
	return [prefix, ...entries.flatMap(([key, item]) => paths(item, [...prefix, key]))].filter((path) => path.length > 0);
}

const MODULES = [
	['agntix', agntix],
	['layercode', layercode],
	['speaknode', speakNode],
] as const;

const checkShape = (platform: string, payload: IDataObject) => {
	const module = platformModule(platform, 'type');
	const parsed = module.parse(payload);
	expect(typeof parsed.event).toBe('string');
	expect(parsed.event.length).toBeGreaterThan(0);
	expect(typeof parsed.expectsStream).toBe('boolean');
	expect(Array.isArray(parsed.warnings) && parsed.warnings.every((warning) => typeof warning === 'string')).toBe(true);
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
