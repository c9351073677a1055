import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { EVENTS } from '../events';
import { header } from '../verification/headers';
import { noVerification, type VerificationScheme } from '../verification/schemes';
import { verifyTimestampedHmac } from '../verification/signatures';
import {
	asNumber,
	asObject,
	asString,
	toIsoTime,
	transcriptFrom,
	type Interruption,
	type TranscriptEntry,
} from '../VoiceAgentEvent';
import { schemaWarnings, type Platform, type SessionRef } from './Platform';

// Layercode: one URL for every event; `message` and `session.start` wait for an SSE answer.
// Maps, not objects: a sent type such as `constructor` must not find Object.prototype's.
const EVENT_NAMES = new Map([
	['message', 'turn.message'],
	['session.start', 'turn.welcome'],
	['data', 'client.data'],
	['session.update', 'session.updated'],
	['session.end', 'session.ended'],
]);
const STREAMED_EVENTS = new Set(['message', 'session.start']);
/**
 * `data`: Layercode forwards the webhook's plain JSON answer (not SSE) to the browser client as
 * `response.data` (docs.layercode.com/how-tos/send-json-data, "Send JSON data from the client").
 */
const JSON_REPLY_EVENTS = new Set(['data']);

/** Older deliveries used `MESSAGE`, `SESSION_START`…: same events, other spelling. Other names pass as sent. */
export const layercodeType = (type: string): string =>
	/^[A-Z_]+$/.test(type) ? type.toLowerCase().replace(/_/g, '.') : type;

const text = z.string().nullish();
const common = {
	// Older deliveries name the session `connection_id`; one of the two must be there.
	session_id: z.string().optional(),
	connection_id: z.string().optional(),
	conversation_id: text,
	custom_metadata: z.record(z.unknown()).nullish(),
	metadata: z.record(z.unknown()).nullish(),
	from_phone_number: text,
	to_phone_number: text,
};
const transcriptItem = z
	.object({ role: z.string(), text: z.string(), timestamp: z.union([z.number(), z.string()]).nullish() })
	.passthrough();

const withSession = <T extends z.ZodTypeAny>(schema: T) =>
	schema.refine((payload: { session_id?: string; connection_id?: string }) => Boolean(payload.session_id ?? payload.connection_id), {
		message: 'Required',
		path: ['session_id'],
	});

const schemas = new Map<string, z.ZodTypeAny>(Object.entries({
	message: z
		.object({
			...common,
			text: z.string(),
			turn_id: z.string(),
			interruption_context: z
				.object({
					previous_turn_interrupted: z.boolean().nullish(),
					words_heard: z.number().nullish(),
					text_heard: text,
					assistant_turn_id: text,
				})
				.passthrough()
				.nullish(),
		})
		.passthrough(),
	// turn_id: on the agent webhook (the welcome turn); the session webhook's may have none.
	'session.start': z.object({ ...common, turn_id: text }).passthrough(),
	data: z.object({ ...common, turn_id: text, data: z.unknown() }).passthrough(),
	'session.update': z
		.object({
			...common,
			recording_status: text,
			recording_url: text,
			recording_duration: z.number().nullish(),
			error_message: text,
		})
		.passthrough(),
	'session.end': z
		.object({
			...common,
			agent_id: text,
			started_at: text,
			ended_at: text,
			duration: z.number().nullish(),
			transcription_duration_seconds: z.number().nullish(),
			tts_duration_seconds: z.number().nullish(),
			latency: z.number().nullish(),
			ip_address: text,
			country_code: text,
			recording_status: text,
			transcript: z.array(transcriptItem).nullish(),
		})
		.passthrough(),
}));

/** Layercode's transcript (`[{role, text, timestamp}]`, timestamps in Unix ms or ISO) in the common shape. */
export const layercodeTranscript = (value: unknown): TranscriptEntry[] | null =>
	transcriptFrom(value, (item) => ({ role: item.role, text: item.text, at: item.timestamp }));

/** `interruption_context` (sent on `message` after the caller cut the agent off) in the common shape; every part optional. */
export function layercodeInterruption(value: unknown): Interruption | null {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
	const context = value as IDataObject;
	return {
		previousTurnInterrupted: typeof context.previous_turn_interrupted === 'boolean' ? context.previous_turn_interrupted : null,
		wordsHeard: asNumber(context.words_heard),
		textHeard: asString(context.text_heard),
		assistantTurnId: asString(context.assistant_turn_id),
	};
}

/**
 * The name a delivery's type stands for. `session.start` opens the agent's welcome turn on the
 * agent webhook, which always names that turn (`turn_id`). The same type also arrives on
 * Layercode's separate session webhook (pipeline `session_webhook`, events session.start /
 * session.end / session.update), where no documented turn goes with it: without a turn id there
 * is nothing to speak into, so it is the lifecycle event `session.started`, answered at once.
 */
function eventName(type: string, payload: IDataObject): string {
	if (type === 'session.start' && asString(payload.turn_id) === null) return 'session.started';
	return EVENT_NAMES.get(type) ?? type;
}

/** `layercode-signature: t=<unix s>,v1=<hex>` over `t.body`, Stripe's scheme under Layercode's header name. */
const layercodeSignature: VerificationScheme = {
	value: 'layercodeSignature',
	name: 'Layercode Signature',
	key: 'textSecret',
	parameters: ['toleranceSeconds'],
	verify: ({ headers, body }, secret, settings) =>
		// Fixed key and hash: the generic Signature Key and Algorithm parameters are not this scheme's.
		verifyTimestampedHmac(header(headers, 'layercode-signature'), body, secret, { ...settings, signatureKey: 'v1', algorithm: 'sha256' }),
};

const sessionPath = (ref: SessionRef) =>
	`/v1/agents/${encodeURIComponent(ref.agentId ?? '')}/sessions/${encodeURIComponent(ref.sessionId)}`;

export const layercode: Platform = {
	id: 'layercode',
	displayName: 'Layercode',
	description: 'Live turns answered as SSE, plus session events',
	urlGoesTo: 'into Layercode as your agent’s webhook URL, with the events you use enabled (message, session.start…)',
	verification: [layercodeSignature, noVerification],
	defaultVerification: layercodeSignature.value,
	events: [
		{ ...EVENTS.turnMessage, description: 'Layercode message: the caller said something; answer with the Voice Agent node' },
		{ ...EVENTS.turnWelcome, description: 'Layercode session.start: the agent speaks first' },
		{ ...EVENTS.clientData, description: 'Layercode data sent by the browser client; the workflow’s Send Data is the reply' },
		{ ...EVENTS.sessionStarted, description: 'session.start on Layercode’s session webhook (no turn to answer)' },
		EVENTS.sessionUpdated,
		EVENTS.sessionEnded,
	],
	// Layercode waits on the request for the turn's answer and does not retry.
	streamsTurns: true,
	api: {
		needsAgentId: true,
		sessionPath,
		transcript: async (get, ref) => layercodeTranscript((await get(sessionPath(ref))).transcript) ?? [],
	},
	parse(payload) {
		const eventType = asString(payload.type);
		const type = eventType ? layercodeType(eventType) : 'unknown';
		const schema = schemas.get(type);
		const durationMs = asNumber(payload.duration);
		const event = eventName(type, payload);
		return {
			event,
			expectsStream: STREAMED_EVENTS.has(type) && event !== 'session.started',
			expectsJsonReply: JSON_REPLY_EVENTS.has(type),
			warnings: schema ? schemaWarnings(withSession(schema), payload) : [],
			fields: {
				eventType,
				sessionId: asString(payload.session_id) ?? asString(payload.connection_id),
				conversationId: asString(payload.conversation_id),
				turnId: asString(payload.turn_id),
				agentId: asString(payload.agent_id),
				text: asString(payload.text),
				from: asString(payload.from_phone_number),
				to: asString(payload.to_phone_number),
				startedAt: toIsoTime(payload.started_at),
				endedAt: toIsoTime(payload.ended_at),
				durationSeconds: durationMs === null ? null : durationMs / 1000,
				variables: asObject(payload.custom_metadata ?? payload.metadata),
				transcript: layercodeTranscript(payload.transcript),
				recordingUrl: asString(payload.recording_url),
				interruption: layercodeInterruption(payload.interruption_context),
			},
		};
	},
};
