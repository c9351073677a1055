import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { asObject, asString, toIsoTime } from '../VoiceAgentEvent';
import { schemaWarnings, type ParsedDelivery, type PlatformModule } from './Platform';

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

export const agntix: PlatformModule = {
	id: 'agntix',
	displayName: 'Agntix',
	parse(payload: IDataObject): ParsedDelivery {
		const eventType = asString(payload.eventType);
		const metadata = asObject(payload.metadata);
		const analysis = asObject(payload.analysis);
		const customer = asString(metadata.customerPhoneNumber);
		const direction = asString(payload.direction);
		return {
			event: eventType ? (EVENT_NAMES.get(eventType) ?? eventType) : 'unknown',
			expectsStream: false,
			warnings: schemaWarnings(agntixSessionSchema, payload),
			fields: {
				eventType,
				sessionId: asString(payload.id),
				agentId: asString(payload.agentId),
				channel: asString(payload.type),
				platform: asString(payload.platform),
				direction,
				// The customer is the caller on inbound calls and the callee on outbound ones.
				from: direction === 'OUTBOUND' ? null : customer,
				to: direction === 'OUTBOUND' ? customer : null,
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
