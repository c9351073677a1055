import type { IDataObject } from 'n8n-workflow';
import toPath from 'lodash/toPath';

import { asString } from '../VoiceAgentEvent';
import type { ParsedDelivery, PlatformModule } from './Platform';

/** The value at a lodash-style path, through the payload's own keys only (never Object.prototype's). */
function ownValueAt(payload: IDataObject, path: string): unknown {
	let value: unknown = payload;
	for (const key of toPath(path)) {
		if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
		value = (value as IDataObject)[key];
	}
	return value;
}

/**
 * Any other platform: the payload passes through as `raw`, the event name is read from a
 * configurable field, and nothing else is guessed.
 */
export function otherPlatform(eventField: string): PlatformModule {
	return {
		id: 'other',
		displayName: 'Other',
		parse(payload: IDataObject): ParsedDelivery {
			const eventType = asString(ownValueAt(payload, eventField));
			return {
				event: eventType ?? 'unknown',
				expectsStream: false,
				warnings: eventType === null ? [`${eventField}: no event name in this field`] : [],
				fields: { eventType },
			};
		},
	};
}
