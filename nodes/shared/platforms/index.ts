import type { PlatformModule } from './Platform';
import { agntix } from './agntix';
import { layercode } from './layercode';
import { otherPlatform } from './other';
import { speakNode } from './speaknode';

// A Map, not an object: only these ids find a module, never a name from Object.prototype.
const KNOWN = new Map<string, PlatformModule>([
	['agntix', agntix],
	['layercode', layercode],
	['speaknode', speakNode],
]);

/**
 * The module for the trigger's Platform parameter; `other` reads the event name from `eventField`.
 * Undefined for a platform this version does not know (a later version's, an imported or a
 * generated workflow's): the caller refuses it, since guessing would skip its verification.
 */
export function platformModule(platform: string, eventField: string): PlatformModule | undefined {
	return platform === 'other' ? otherPlatform(eventField) : KNOWN.get(platform);
}

/** Normalised event names the modules produce; anything else counts as "Other Events". */
export const KNOWN_EVENTS = new Set([
	'session.started',
	'session.ended',
	'session.updated',
	'turn.message',
	'turn.welcome',
	'client.data',
]);
