import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { EVENTS } from '../events';
import { header } from '../verification/headers';
import { noVerification, type VerificationScheme } from '../verification/schemes';
import { verifyTimestampedHmac } from '../verification/signatures';
import { asNumber, asObject, asString, callParties, normalisedEvent, type TranscriptEntry, transcriptFrom, verdict } from '../VoiceAgentEvent';
import { schemaWarnings, type Platform } from './Platform';

// ElevenLabs Agents post-call webhooks: `{"type": "…", "event_timestamp": <unix s>, "data": {…}}`.
// Sources:
// - https://elevenlabs.io/docs/eleven-agents/workflows/post-call-webhooks (types, payload example,
//   "must return 200", "for HIPAA compliance, if a webhook fails we can not retry")
// - https://elevenlabs.io/docs/product-guides/administration/webhooks ("each webhook event is
//   dispatched only once"; HMAC `ElevenLabs-Signature: t=…,v0=…` over `t.body`)
// - `data` is the GET Conversation response: https://elevenlabs.io/docs/api-reference/conversations/get,
//   and @elevenlabs/elevenlabs-js 2.73 serialization/types/GetConversationResponseModel (wire names)
// - the SDK's verifier: @elevenlabs/elevenlabs-js wrapper/webhooks.js `constructEvent`; retries are
//   a workspace webhook setting there (`retryEnabled`: "automatic retries for transient failures
//   (5xx, 429, timeout)", api/resources/webhooks/client/requests/BodyUpdateWorkspaceWebhook…Patch)
// A Map, not an object: a sent type such as `constructor` must not find Object.prototype's.
// `post_call_audio` (base64 MP3, no analysis) is not mapped: it reaches the workflow as sent.
const EVENT_NAMES = new Map([
	['post_call_transcription', 'session.ended'],
	['call_initiation_failure', 'session.failed'],
]);

const text = z.string().nullish();
const transcriptItem = z
	.object({ role: z.string(), message: text, time_in_call_secs: z.number().nullish() })
	.passthrough();
const clientData = z.object({ dynamic_variables: z.record(z.unknown()).nullish() }).passthrough().nullish();

const envelope = { type: z.string(), event_timestamp: z.number().nullish() };
/** One post-call event: the envelope, and `data` naming its conversation and agent, plus `fields`. */
const postCallEvent = (fields: z.ZodRawShape) =>
	z
		.object({
			...envelope,
			data: z.object({ agent_id: z.string(), conversation_id: z.string(), ...fields }).passthrough(),
		})
		.passthrough();

const schemas = new Map<string, z.ZodTypeAny>(Object.entries({
	post_call_transcription: postCallEvent({
		status: text,
		user_id: text,
		transcript: z.array(transcriptItem).nullish(),
		metadata: z
			.object({
				start_time_unix_secs: z.number().nullish(),
				call_duration_secs: z.number().nullish(),
				termination_reason: text,
				phone_call: z
					.object({ type: text, direction: text, agent_number: text, external_number: text })
					.passthrough()
					.nullish(),
			})
			.passthrough()
			.nullish(),
		analysis: z
			.object({
				call_successful: text,
				transcript_summary: text,
				evaluation_criteria_results: z.record(z.unknown()).nullish(),
				data_collection_results: z.record(z.object({ value: z.unknown() }).passthrough()).nullish(),
			})
			.passthrough()
			.nullish(),
		conversation_initiation_client_data: clientData,
	}),
	call_initiation_failure: postCallEvent({
		failure_reason: text,
		metadata: z.object({ type: text, body: z.record(z.unknown()).nullish() }).passthrough().nullish(),
		conversation_initiation_client_data: clientData,
	}),
	post_call_audio: postCallEvent({ full_audio: z.string() }),
}));
/** Any other type: the envelope only, so that unknown events pass without warnings. */
const unknownEvent = z.object({ ...envelope, data: z.object({}).passthrough().nullish() }).passthrough();

/** `call_successful` (success / failure / unknown) in the words the common item uses for a verdict. */
const VERDICTS = new Map([
	['success', verdict(true)],
	['failure', verdict(false)],
]);

/** Unix seconds (plus an offset in seconds) as ISO; null when either is missing or out of range. */
function secondsAfter(startSeconds: number | null, offset: unknown): string | null {
	const seconds = asNumber(offset);
	if (startSeconds === null || seconds === null) return null;
	// Not toIsoTime: it reads small numbers as seconds and large ones as milliseconds.
	const date = new Date((startSeconds + seconds) * 1000);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Spoken lines only (a turn that only called a tool has no message); `agent` is the common
 * `assistant`, and each line's time is the call's start plus its `time_in_call_secs`.
 */
const transcriptOf = (value: unknown, startSeconds: number | null): TranscriptEntry[] | null =>
	transcriptFrom(value, (line) => {
		if (asString(line.message) === null) return null;
		const role = asString(line.role);
		return { role: role === 'agent' ? 'assistant' : role, text: line.message, at: secondsAfter(startSeconds, line.time_in_call_secs) };
	});

/**
 * `data_collection_results` (id → {value, rationale, …}) as field → value; the list form when the
 * map is absent. Built with Object.fromEntries: a field named `__proto__` stays an ordinary key.
 */
function extractedOf(analysis: IDataObject): IDataObject {
	const results = analysis.data_collection_results;
	if (results !== null && typeof results === 'object' && !Array.isArray(results)) {
		return Object.fromEntries(Object.entries(results).map(([field, result]) => [field, asObject(result).value ?? null]));
	}
	if (!Array.isArray(analysis.data_collection_results_list)) return {};
	return Object.fromEntries(
		analysis.data_collection_results_list
			.map((result) => [asString(asObject(result).data_collection_id), asObject(result).value ?? null] as const)
			.filter(([id]) => id !== null),
	);
}

/** Caller and callee: ElevenLabs names the customer `external_number` and its own line `agent_number`. */
function phoneNumbers(phoneCall: IDataObject): { from: string | null; to: string | null } {
	const external = asString(phoneCall.external_number);
	const agent = asString(phoneCall.agent_number);
	const direction = asString(phoneCall.direction);
	// No direction said (a web call): no telling which number called.
	return direction === 'inbound' || direction === 'outbound' ? callParties(direction, external, agent) : { from: null, to: null };
}

/**
 * `ElevenLabs-Signature: t=<unix s>,v0=<hex>`, HMAC-SHA256 of `t.body` keyed with the webhook
 * secret as text: what the SDK's constructEvent checks. Stricter than it where it is lax: the
 * comparison is constant-time, and a time too far in the future is refused as well.
 */
const elevenLabsSignature: VerificationScheme = {
	value: 'elevenlabsSignature',
	name: 'ElevenLabs Signature',
	key: 'textSecret',
	parameters: ['toleranceSeconds'],
	// ElevenLabs' own SDK accepts a signature for 30 minutes; a repeat inside it is a duplicate.
	defaultToleranceSeconds: 1800,
	verify: ({ headers, body }, secret, settings) =>
		// Fixed key and hash: the generic Signature Key and Algorithm parameters are not this scheme's.
		verifyTimestampedHmac(header(headers, 'elevenlabs-signature'), body, secret, { ...settings, signatureKey: 'v0', algorithm: 'sha256' }),
};

/** The events ElevenLabs sends at most once per conversation (repeats of them are retries). */
const ONCE_PER_CONVERSATION = new Set(['post_call_transcription', 'post_call_audio', 'call_initiation_failure']);

export const elevenLabs: Platform = {
	id: 'elevenlabs',
	displayName: 'ElevenLabs Agents',
	description: 'Post-call webhooks: transcript, analysis and data collection; failed call starts',
	urlGoesTo: 'into ElevenLabs as a workspace webhook (HMAC), chosen as the agent’s post-call webhook with the transcript and call initiation failure events',
	verification: [elevenLabsSignature, noVerification],
	defaultVerification: elevenLabsSignature.value,
	events: [
		{ ...EVENTS.sessionEnded, description: 'ElevenLabs post_call_transcription: transcript, summary, success verdict, collected data' },
		{ ...EVENTS.sessionFailed, description: 'ElevenLabs call_initiation_failure: the call was busy, not answered or failed' },
	],
	// No delivery id is sent, and a webhook with retries turned on sends a delivery again after a
	// 5xx, 429 or timeout, signed anew. A conversation has one event of each type, so the
	// conversation id and the type name the delivery (derived: ElevenLabs documents no id).
	deliveryId(_headers, payload) {
		const conversation = asString(asObject(payload.data).conversation_id);
		const type = asString(payload.type);
		// Only the events sent once per conversation: a type we do not know may come more than once.
		return conversation && type && ONCE_PER_CONVERSATION.has(type) ? `${conversation}:${type}` : null;
	},
	parse(payload) {
		const eventType = asString(payload.type);
		const data = asObject(payload.data);
		const metadata = asObject(data.metadata);
		const analysis = asObject(data.analysis);
		const startSeconds = asNumber(metadata.start_time_unix_secs);
		const schema = eventType ? schemas.get(eventType) : undefined;
		const failed = eventType === 'call_initiation_failure';
		// A failed start's metadata is the telephony provider's callback: Twilio's has From and To.
		const twilioBody = failed && metadata.type === 'twilio' ? asObject(metadata.body) : {};
		const phoneCall = asObject(metadata.phone_call);
		const verdict = asString(analysis.call_successful);
		return {
			// An empty name names nothing: "unknown", as for a missing one.
			event: normalisedEvent(EVENT_NAMES, eventType),
			expectsStream: false,
			warnings: schemaWarnings(schema ?? unknownEvent, payload),
			fields: {
				eventType,
				// ElevenLabs' one id for the call: the session, and what its API and dashboard call the conversation.
				sessionId: asString(data.conversation_id),
				conversationId: asString(data.conversation_id),
				agentId: asString(data.agent_id),
				direction: asString(phoneCall.direction),
				...(failed ? { from: asString(twilioBody.From), to: asString(twilioBody.To) } : phoneNumbers(phoneCall)),
				startedAt: secondsAfter(startSeconds, 0),
				endedAt: secondsAfter(startSeconds, metadata.call_duration_secs),
				durationSeconds: asNumber(metadata.call_duration_secs),
				summary: asString(analysis.transcript_summary),
				resolution: verdict === null ? null : (VERDICTS.get(verdict) ?? verdict),
				extracted: extractedOf(analysis),
				variables: asObject(asObject(data.conversation_initiation_client_data).dynamic_variables),
				transcript: transcriptOf(data.transcript, startSeconds),
				// An empty termination_reason says nothing.
				endedReason: (failed ? asString(data.failure_reason) : asString(metadata.termination_reason)) || null,
			},
		};
	},
};
