// Retell AI: call lifecycle webhooks with post-call analysis, signed with the account's API key.
// Sources (checked 2026-11-30):
// - https://docs.retellai.com/features/webhook-overview (events, payload `{event, call}`, 10 s timeout, up to 3 retries)
// - https://docs.retellai.com/features/secure-webhook (x-retell-signature, the API key with the webhook badge)
// - https://docs.retellai.com/api-references/get-call (the call object, call_analysis)
// - retell-sdk 5.66.1 lib/webhook_auth (`verify`: the reference for the signature grammar and window)
import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { EVENTS } from '../events';
import { header } from '../verification/headers';
import { noVerification, type VerificationScheme } from '../verification/schemes';
import { checkTimestamp, invalid, verifyHmac, type Verification } from '../verification/signatures';
import { asNumber, asObject, asString, normalisedEvent, toIsoTime, type TranscriptEntry, transcriptFrom, verdict } from '../VoiceAgentEvent';
import { schemaWarnings, type Platform } from './Platform';

// A Map, not an object: a sent name such as `constructor` must not find Object.prototype's.
const EVENT_NAMES = new Map([
	['call_started', 'session.started'],
	['call_ended', 'session.ended'],
	['call_analyzed', 'session.analyzed'],
]);

/**
 * retell-sdk's grammar, exactly: one `v=<epoch ms>` then one `d=<hex>`, nothing around them, any
 * letter case. Retell sends one signature per delivery (no rotation list).
 */
const SIGNATURE = /^v=(\d+),d=([0-9a-f]+)$/i;
const SHA256_HEX_LENGTH = 64;

export interface RetellSignatureOptions {
	/** Allowed clock difference either way; retell-sdk's is 5 minutes, the trigger's default 300 s. */
	toleranceSeconds: number;
	/** Epoch milliseconds; injectable for tests. */
	nowMs?: number;
}

/**
 * `x-retell-signature: v=<epoch ms>,d=<hex>`: HMAC-SHA256 keyed with the API key's text over the
 * raw body immediately followed by the milliseconds (no separator), as retell-sdk's `verify`.
 * The window is checked in milliseconds, as the SDK does, so its boundary is the SDK's.
 */
export function verifyRetellSignature(
	signature: string | undefined,
	body: Buffer,
	apiKey: string,
	options: RetellSignatureOptions,
): Verification {
	if (!signature) return invalid('missing signature header');
	const match = SIGNATURE.exec(signature);
	if (!match || match[2].length !== SHA256_HEX_LENGTH) return invalid('malformed signature header');
	// The SDK signs and checks `body + Number(v)`: v=017… verifies as 17…, never as its text.
	const sentAt = Number(match[1]);
	const time = checkTimestamp(sentAt, options.toleranceSeconds * 1000, options.nowMs ?? Date.now());
	if (!time.valid) return time;
	return verifyHmac({ secret: apiKey, signed: [body, String(sentAt)], signatures: [match[2]] });
}

const retellSignature: VerificationScheme = {
	value: 'retellSignature',
	name: 'Retell Signature',
	description: 'The x-retell-signature header, keyed with your Retell API key (the one with the webhook badge)',
	key: 'textSecret',
	parameters: ['toleranceSeconds'],
	verify: ({ headers, body }, apiKey, settings) =>
		verifyRetellSignature(header(headers, 'x-retell-signature'), body, apiKey, settings),
};

const text = z.string().nullish();
const utterance = z
	.object({
		role: z.string(),
		content: z.string(),
		words: z.array(z.object({ word: text, start: z.number().nullish(), end: z.number().nullish() }).passthrough()).nullish(),
	})
	.passthrough();

const call = z
	.object({
		call_id: z.string(),
		agent_id: text,
		call_type: text,
		call_status: text,
		direction: text,
		from_number: text,
		to_number: text,
		start_timestamp: z.number().nullish(),
		end_timestamp: z.number().nullish(),
		duration_ms: z.number().nullish(),
		disconnection_reason: text,
		transcript: text,
		transcript_object: z.array(utterance).nullish(),
		recording_url: text,
		metadata: z.unknown().optional(),
		retell_llm_dynamic_variables: z.record(z.unknown()).nullish(),
		call_analysis: z
			.object({
				call_summary: text,
				user_sentiment: text,
				call_successful: z.boolean().nullish(),
				in_voicemail: z.boolean().nullish(),
				custom_analysis_data: z.record(z.unknown()).nullish(),
			})
			.passthrough()
			.nullish(),
	})
	.passthrough();

export const retellSchema = z.object({ event: z.string(), call }).passthrough();

/** The call object; deliveries before Retell renamed it carry it as `data` (docs: "being deprecated"). */
const callOf = (payload: IDataObject): IDataObject => asObject(payload.call ?? payload.data);

/** The body with its call under `call`, so a `data` delivery is checked against the same schema. */
const asCurrentShape = (payload: IDataObject): IDataObject =>
	payload.call === undefined && payload.data !== undefined ? { ...payload, call: payload.data } : payload;

/**
 * Retell's `transcript_object` in the common shape: `agent` speaks as `assistant`, as on the other
 * platforms. A line's time is the call's start plus its first word's offset (words carry seconds
 * into the call); without either it is null.
 */
export function retellTranscript(value: unknown, startMs: number | null): TranscriptEntry[] | null {
	return transcriptFrom(value, (line) => {
		const role = asString(line.role);
		const words = Array.isArray(line.words) ? line.words : [];
		const offset = asNumber(asObject(words[0]).start);
		return {
			role: role?.toLowerCase() === 'agent' ? 'assistant' : role,
			text: line.content,
			at: startMs !== null && offset !== null ? startMs + offset * 1000 : null,
		};
	});
}

/** `call_successful` as text, so one workflow compares it with the other platforms' verdicts. */
function resolutionOf(successful: unknown): string | null {
	if (typeof successful === 'boolean') return verdict(successful);
	return null;
}

/** Events sent once per call: their id is the call's. transcript_updated and transfer_* may repeat. */
const ONCE_PER_CALL = new Set(['call_started', 'call_ended', 'call_analyzed']);

/**
 * Retell documents no delivery id: it retries a delivery not answered 2xx within 10 s, up to 3
 * times. The id is derived: `<call_id>:<event>`, and for call_analyzed also a digest of the
 * analysis, so an analysis re-run for the same call (a new verdict) is not taken for a copy.
 */
function retellDeliveryId(payload: IDataObject): string | null {
	const event = asString(payload.event);
	const callId = asString(callOf(payload).call_id);
	if (event === null || callId === null || !ONCE_PER_CALL.has(event)) return null;
	if (event !== 'call_analyzed') return `${callId}:${event}`;
	const analysis = JSON.stringify(callOf(payload).call_analysis ?? null);
	return `${callId}:${event}:${createHash('sha256').update(analysis).digest('hex').slice(0, 16)}`;
}

export const retell: Platform = {
	id: 'retell',
	displayName: 'Retell',
	description: 'Call lifecycle and post-call analysis, signed with your API key',
	urlGoesTo: 'into Retell as the webhook URL (the account’s Webhooks tab, or the agent’s Webhook URL)',
	verification: [retellSignature, noVerification],
	defaultVerification: retellSignature.value,
	events: [
		{ ...EVENTS.sessionStarted, description: 'Retell call_started (not sent for calls that never connected)' },
		{ ...EVENTS.sessionEnded, description: 'Retell call_ended: transcript, recording and why the call ended' },
		{ ...EVENTS.sessionAnalyzed, description: 'Retell call_analyzed: summary, sentiment, success and your custom analysis data' },
	],
	deliveryId: (_headers, payload) => retellDeliveryId(payload),
	parse(payload) {
		const eventType = asString(payload.event);
		const data = callOf(payload);
		const analysis = asObject(data.call_analysis);
		const startMs = asNumber(data.start_timestamp);
		const durationMs = asNumber(data.duration_ms);
		return {
			event: normalisedEvent(EVENT_NAMES, eventType),
			expectsStream: false,
			warnings: schemaWarnings(retellSchema, asCurrentShape(payload)),
			fields: {
				eventType,
				sessionId: asString(data.call_id),
				agentId: asString(data.agent_id),
				platform: asString(data.call_type),
				direction: asString(data.direction),
				from: asString(data.from_number),
				to: asString(data.to_number),
				startedAt: toIsoTime(startMs),
				endedAt: toIsoTime(asNumber(data.end_timestamp)),
				durationSeconds: durationMs === null ? null : durationMs / 1000,
				summary: asString(analysis.call_summary),
				sentiment: asString(analysis.user_sentiment),
				resolution: resolutionOf(analysis.call_successful),
				extracted: asObject(analysis.custom_analysis_data),
				// Dynamic variables are the prompt's inputs; metadata is where Retell says to keep your own ids, so it wins.
				variables: { ...asObject(data.retell_llm_dynamic_variables), ...asObject(data.metadata) },
				transcript: retellTranscript(data.transcript_object, startMs),
				recordingUrl: asString(data.recording_url),
				endedReason: asString(data.disconnection_reason),
			},
		};
	},
};
