import { agntix } from './agntix';
import { elevenLabs } from './elevenlabs';
import { layercode } from './layercode';
import { otherPlatform } from './other';
import type { Platform } from './Platform';
import { retell } from './retell';
import { speakNode } from './speaknode';
import { vapi } from './vapi';

/** Every platform the package speaks, in the order of the Platform dropdown (Other last). */
export const PLATFORMS: readonly Platform[] = [agntix, elevenLabs, layercode, retell, speakNode, vapi, otherPlatform];

// A Map, not an object: only these ids find a platform, never a name from Object.prototype.
const BY_ID = new Map(PLATFORMS.map((platform) => [platform.id, platform]));

/**
 * The platform of the trigger's Platform parameter. Undefined for one this version does not know
 * (a later version's, an imported or a generated workflow's): the caller refuses it, since
 * guessing would skip its verification.
 */
export const platformById = (id: unknown): Platform | undefined => (typeof id === 'string' ? BY_ID.get(id) : undefined);
