import { z } from 'zod';

import { EVENTS } from '../events';
import { standardWebhookHeaders } from '../verification/headers';
import { noVerification, standardWebhooks } from '../verification/schemes';
import { asObject, asString, callParties, normalisedEvent, toIsoTime, type TranscriptEntry, transcriptFrom } from '../VoiceAgentEvent';
import { schemaWarnings, type Platform, type SessionRef } from './Platform';

// Agntix: flat body, the event name in `eventType` (`type` is the channel), delivered by Svix.
// A Map, not an object: a sent name such as `constructor` must not find Object.prototype's.
const EVENT_NAMES = new Map([
	['session.created', 'session.started'],
	['session.ended', 'session.ended'],
	['session.updated', 'session.updated'],
]);

const text = z.string().nullish();
const intentDetail = z
	.object({ intent: text, confidence: z.number().nullish(), explanation: text })
	.passthrough();
const sentimentDetail = z
	.object({ sentiment: text, score: z.number().nullish(), detectedLanguage: text })
	.passthrough();

// The sentiment block's exact keys are not confirmed: accept a label, a flat object or one nested under `conversation`.
const sentiment = z.union([
	z.string(),
	z.object({ conversation: sentimentDetail.nullish() }).passthrough(),
	sentimentDetail,
]);

const analysis = z
	.object({
		summary: text,
		intent: z
			.object({ conversation: intentDetail.nullish(), message: intentDetail.nullish() })
			.passthrough()
			.nullish(),
		resolution: z
			.object({
				classification: text,
				confidenceScore: z.number().nullish(),
				status: text,
				satisfiedChecklistItems: z.array(z.unknown()).nullish(),
				evidence: z.array(z.unknown()).nullish(),
				explanation: text,
			})
			.passthrough()
			.nullish(),
		sentiment: sentiment.nullish(),
		extractedData: z.record(z.unknown()).nullish(),
	})
	.passthrough();

export const agntixSessionSchema = z
	.object({
		id: z.string(),
		eventType: z.string(),
		type: text,
		platform: text,
		direction: text,
		state: text,
		agentId: text,
		createdAt: text,
		lastActivityAt: text,
		endedAt: text,
		metadata: z
			.object({
				customerPhoneNumber: text,
				roomName: text,
				sessionVariables: z.record(z.unknown()).nullish(),
			})
			.passthrough()
			.nullish(),
		analysis: analysis.nullish(),
	})
	.passthrough();

/** The sentiment label, wherever in the block it was put. */
function sentimentLabel(value: unknown): string | null {
	if (typeof value === 'string') return value;
	const block = asObject(value);
	const detail = block.conversation !== undefined ? asObject(block.conversation) : block;
	return asString(detail.sentiment) ?? asString(detail.label);
}

const sessionPath = (ref: SessionRef) => `/api/v1/chat/sessions/${encodeURIComponent(ref.sessionId)}`;
const PAGE_SIZE = 100;
const MAX_PAGES = 1000; // a runaway pagination loop stops here (100,000 messages)

export const agntix: Platform = {
	id: 'agntix',
	displayName: 'Agntix',
	description: 'Session lifecycle with post-call analysis, signed by Svix',
	urlGoesTo: 'into Agntix as the URL of a webhook endpoint, subscribed to session.ended (and session.created)',
	verification: [{ ...standardWebhooks, name: 'Svix Signature' }, noVerification],
	defaultVerification: standardWebhooks.value,
	events: [EVENTS.sessionStarted, EVENTS.sessionUpdated, EVENTS.sessionEnded],
	// Svix retries a delivery under the same svix-id, whatever the Verification setting.
	deliveryId: (headers) => standardWebhookHeaders(headers).id ?? null,
	// The webhook is summary-grade: Include Full Transcript reads the messages through the API.
	transcriptOnEvent: EVENTS.sessionEnded.value,
	api: {
		sessionPath,
		async transcript(get, ref) {
			const path = `${sessionPath(ref)}/messages`;
			const transcript: TranscriptEntry[] = [];
			for (let page = 1; page <= MAX_PAGES; page++) {
				const body = await get(path, { page, limit: PAGE_SIZE });
				const messages = Array.isArray(body.data) ? body.data : [];
				// Roles come as USER, ASSISTANT…; the common shape is lower case.
				transcript.push(...(transcriptFrom(messages, (m) => ({ role: m.role, text: m.content, at: m.createdAt })) ?? []));
				const totalPages = Number(asObject(body.pagination).totalPages);
				if (messages.length === 0 || !(page < totalPages)) break;
			}
			return transcript;
		},
	},
	parse(payload) {
		const eventType = asString(payload.eventType);
		const metadata = asObject(payload.metadata);
		const analysis = asObject(payload.analysis);
		const customer = asString(metadata.customerPhoneNumber);
		const direction = asString(payload.direction);
		return {
			event: normalisedEvent(EVENT_NAMES, eventType),
			expectsStream: false,
			warnings: schemaWarnings(agntixSessionSchema, payload),
			fields: {
				eventType,
				sessionId: asString(payload.id),
				agentId: asString(payload.agentId),
				channel: asString(payload.type),
				platform: asString(payload.platform),
				direction,
				...callParties(direction, customer, null),
				startedAt: toIsoTime(payload.createdAt),
				endedAt: toIsoTime(payload.endedAt),
				summary: asString(analysis.summary),
				intent: asString(asObject(asObject(analysis.intent).conversation).intent),
				resolution: asString(asObject(analysis.resolution).classification),
				sentiment: sentimentLabel(analysis.sentiment),
				extracted: asObject(analysis.extractedData),
				variables: asObject(metadata.sessionVariables),
			},
		};
	},
};
