import { z } from 'zod';

import { EVENTS } from '../events';
import { bearerJwt, bodyHmac, noVerification } from '../verification/schemes';
import { asNumber, asObject, asString, normalisedEvent, toIsoTime, type TranscriptEntry, transcriptFrom } from '../VoiceAgentEvent';
import { schemaWarnings, type Platform } from './Platform';

// SpeakNode: `{"event": "<EventName>", "data": {…}}`; the vendor says more events may come.
// A Map, not an object: a sent name such as `constructor` must not find Object.prototype's.
const EVENT_NAMES = new Map([
	['SessionStarted', 'session.started'],
	['ConversationComplete', 'session.ended'],
]);

const text = z.string().nullish();

// `history` changed shape over time: every field is optional and extra keys pass.
const historyItem = z
	.object({
		role: text,
		content: z.unknown().optional(),
		kind: text,
		id: text,
		created_at: text,
		interrupted: z.boolean().nullish(),
		transcript_confidence: z.number().nullish(),
	})
	.passthrough();

export const speakNodeSchema = z
	.object({
		event: z.string(),
		data: z
			.object({
				session_id: text,
				agent_id: text,
				agent_name: text,
				audio_url: text,
				created_at: text,
				start_time: text,
				duration_seconds: z.number().nullish(),
				telecom_provider: text,
				from_number: text,
				to_number: text,
				url_parameters: z.record(z.unknown()).nullish(),
				history: z.array(historyItem).nullish(),
			})
			.passthrough(),
	})
	.passthrough();

/** Spoken lines only: tool calls, handoffs and other kinds are not part of what was said. */
const transcriptOf = (history: unknown): TranscriptEntry[] | null =>
	transcriptFrom(history, (item) => {
		const kind = asString(item.kind);
		if (kind !== null && kind.toLowerCase() !== 'message') return null;
		// Older deliveries: `text` or `message` instead of `content`, `timestamp` instead of `created_at`.
		const content = item.content ?? item.text ?? item.message;
		const words = Array.isArray(content) ? content.filter((part) => typeof part === 'string').join(' ') : asString(content);
		if (words === null || asString(item.role) === null) return null;
		return { role: item.role, text: words, at: item.created_at ?? item.timestamp };
	});

export const speakNode: Platform = {
	id: 'speaknode',
	displayName: 'SpeakNode',
	description: 'Session lifecycle webhooks',
	urlGoesTo: 'into SpeakNode as the URL of your webhook subscription',
	verification: [bearerJwt, bodyHmac, noVerification],
	defaultVerification: bodyHmac.value,
	events: [EVENTS.sessionStarted, EVENTS.sessionEnded],
	parse(payload) {
		const eventType = asString(payload.event);
		const data = asObject(payload.data);
		return {
			event: normalisedEvent(EVENT_NAMES, eventType),
			expectsStream: false,
			warnings: schemaWarnings(speakNodeSchema, payload),
			fields: {
				eventType,
				sessionId: asString(data.session_id),
				agentId: asString(data.agent_id),
				from: asString(data.from_number),
				to: asString(data.to_number),
				startedAt: toIsoTime(data.start_time ?? data.created_at),
				durationSeconds: asNumber(data.duration_seconds),
				variables: asObject(data.url_parameters),
				transcript: transcriptOf(data.history),
				recordingUrl: asString(data.audio_url),
			},
		};
	},
};
