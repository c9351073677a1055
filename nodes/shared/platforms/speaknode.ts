import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import {
	asNumber,
	asObject,
	asString,
	toIsoTime,
	type TranscriptEntry,
} from '../VoiceAgentEvent';
import { schemaWarnings, type ParsedDelivery, type PlatformModule } from './Platform';

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
function transcriptOf(history: unknown): TranscriptEntry[] | null {
	if (!Array.isArray(history)) return null;
	const entries: TranscriptEntry[] = [];
	for (const raw of history) {
		const item = asObject(raw);
		const kind = asString(item.kind);
		if (kind !== null && kind.toLowerCase() !== 'message') continue;
		// Older deliveries: `text` or `message` instead of `content`, `timestamp` instead of `created_at`.
		const content = item.content ?? item.text ?? item.message;
		const words = Array.isArray(content) ? content.filter((part) => typeof part === 'string').join(' ') : asString(content);
		const role = asString(item.role);
		if (words === null || role === null) continue;
		entries.push({
			role: role.toLowerCase(),
			text: words,
			at: toIsoTime(item.created_at ?? item.timestamp),
		});
	}
	return entries;
}

export const speakNode: PlatformModule = {
	id: 'speaknode',
	displayName: 'SpeakNode',
	parse(payload: IDataObject): ParsedDelivery {
		const eventType = asString(payload.event);
		const data = asObject(payload.data);
		return {
			event: eventType ? (EVENT_NAMES.get(eventType) ?? eventType) : 'unknown',
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
