import type { IDataObject } from 'n8n-workflow';
import toPath from 'lodash/toPath';

import { EVENTS } from '../events';
import {
	bearerJwt,
	bodyHmac,
	noVerification,
	sharedSecret,
	standardWebhooks,
	stripeStyle,
} from '../verification/schemes';
import { asString } from '../VoiceAgentEvent';
import type { Platform } from './Platform';

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
export const otherPlatform: Platform = {
	id: 'other',
	displayName: 'Other (Generic)',
	description: 'Any platform signing the Standard Webhooks, Stripe-style or plain HMAC way',
	urlGoesTo: 'into your platform’s webhook settings',
	verification: [bearerJwt, bodyHmac, noVerification, sharedSecret, standardWebhooks, stripeStyle],
	defaultVerification: standardWebhooks.value,
	// The names offered before platforms had their own lists: a generic sender's event is matched
	// as sent, and workflows saved with one of these keep it (and "Other Events" its meaning).
	events: [
		EVENTS.sessionStarted,
		EVENTS.sessionUpdated,
		EVENTS.sessionEnded,
		EVENTS.turnMessage,
		EVENTS.turnWelcome,
		EVENTS.clientData,
	],
	properties: [
		{
			displayName: 'Event Field',
			name: 'eventField',
			type: 'string',
			default: 'type',
			description: 'Path of the field holding the event name in the body, e.g. type, event or data.event',
		},
	],
	parse(payload, parameter) {
		const configured = parameter?.('eventField');
		const eventField = typeof configured === 'string' ? configured : 'type';
		const eventType = asString(ownValueAt(payload, eventField));
		return {
			event: eventType ?? 'unknown',
			expectsStream: false,
			warnings: eventType === null ? [`${eventField}: no event name in this field`] : [],
			fields: { eventType },
		};
	},
};
