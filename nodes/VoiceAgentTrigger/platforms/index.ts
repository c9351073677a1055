import type { PlatformModule } from './Platform';
import { agntix } from './agntix';
import { layercode } from './layercode';
import { otherPlatform } from './other';
import { speakNode } from './speaknode';

const KNOWN: Record<string, PlatformModule> = { agntix, layercode, speaknode: speakNode };

/** The module for the trigger's Platform parameter; `other` reads the event name from `eventField`. */
export function platformModule(platform: string, eventField: string): PlatformModule {
	return KNOWN[platform] ?? otherPlatform(eventField);
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
