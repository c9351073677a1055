import type { IDataObject } from 'n8n-workflow';
import get from 'lodash/get';

import { asString } from '../../shared/VoiceAgentEvent';
import type { ParsedDelivery, PlatformModule } from './Platform';

/**
 * Any other platform: the payload passes through as `raw`, the event name is read from a
 * configurable field, and nothing else is guessed.
 */
export function otherPlatform(eventField: string): PlatformModule {
	return {
		id: 'other',
		displayName: 'Other',
		parse(payload: IDataObject): ParsedDelivery {
			const eventType = asString(get(payload, eventField));
			return {
				event: eventType ?? 'unknown',
				expectsStream: false,
				warnings: eventType === null ? [`${eventField}: no event name in this field`] : [],
				fields: { eventType },
			};
		},
	};
}
