// Vapi server messages. Sources (read 2026-11):
// - https://docs.vapi.ai/server-url/events (the `{"message": {"type": …}}` envelope, which types expect an answer)
// - https://docs.vapi.ai/server-url/server-authentication (Bearer Token, legacy X-Vapi-Secret, HMAC credentials)
// - https://docs.vapi.ai/api-reference (OpenAPI: ServerMessageEndOfCallReport, ServerMessageStatusUpdate,
//   Artifact, Analysis, Call, HMACAuthenticationPlan, BearerAuthenticationPlan, Server.backoffPlan),
//   the same types as @vapi-ai/server-sdk 2.0.1 (HmacAuthenticationPlan, BearerAuthenticationPlan)
import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { EVENTS } from '../events';
import { header } from '../verification/headers';
import { noVerification, type VerificationScheme } from '../verification/schemes';
import { invalid, verifyHmac, verifySharedSecret } from '../verification/signatures';
import { asObject, asString, callParties, toIsoTime, type TranscriptEntry, transcriptFrom, verdict } from '../VoiceAgentEvent';
import { schemaWarnings, type Platform } from './Platform';

/**
 * `status-update` with `in-progress` is "The call has started" (Vapi's status list), so it is
 * session.started; every other status (queued, ringing, forwarding, ended…) is session.updated.
 * The end of a call is the end-of-call-report, sent once post-processing is complete.
 * assistant-request, tool-calls, transfer-destination-request and knowledge-base-request expect a
 * JSON answer this trigger does not give: they pass as unknown events, answered 200.
 */
const STARTED_STATUS = 'in-progress';

const text = z.string().nullish();
const record = z.record(z.unknown()).nullish();
const customer = z.object({ number: text, name: text }).passthrough();
const call = z
	.object({
		id: z.string(),
		type: text,
		status: text,
		assistantId: text,
		startedAt: text,
		endedAt: text,
		endedReason: text,
		customer: customer.nullish(),
		assistantOverrides: z.object({ variableValues: record }).passthrough().nullish(),
	})
	.passthrough();
// Any message: the parts this platform reads, every one optional (a chat has no call).
const anyMessage = {
	type: z.string(),
	timestamp: z.number().nullish(),
	call: call.nullish(),
	customer: customer.nullish(),
	phoneNumber: z.object({ number: text }).passthrough().nullish(),
};
const artifact = z
	.object({
		recordingUrl: text,
		transcript: text,
		messages: z.array(z.object({ role: z.string(), message: text, time: z.number().nullish() }).passthrough()).nullish(),
	})
	.passthrough();
const analysis = z
	.object({ summary: text, structuredData: record, successEvaluation: z.union([z.string(), z.boolean(), z.number()]).nullish() })
	.passthrough();

// Maps, not objects: a sent type such as `constructor` must not find Object.prototype's.
const schemas = new Map<string, z.ZodTypeAny>([
	[
		'end-of-call-report',
		z.object({
			message: z
				.object({ ...anyMessage, endedReason: z.string(), artifact, analysis, startedAt: text, endedAt: text })
				.passthrough(),
		}),
	],
	[
		'status-update',
		z.object({ message: z.object({ ...anyMessage, status: z.string(), endedReason: text }).passthrough() }),
	],
]);
const envelope = z.object({ message: z.object(anyMessage).passthrough() }).passthrough();

function eventName(type: string, message: IDataObject): string {
	if (type === 'end-of-call-report') return EVENTS.sessionEnded.value;
	if (type === 'status-update') {
		return message.status === STARTED_STATUS ? EVENTS.sessionStarted.value : EVENTS.sessionUpdated.value;
	}
	return type;
}

/** Spoken lines only: Vapi's `bot` is the assistant; the system prompt and tool calls are not speech. */
const SPOKEN_ROLES = new Map([
	['user', 'user'],
	['bot', 'assistant'],
	['assistant', 'assistant'],
]);

/** `artifact.messages` (`time` in Unix ms) in the common shape. */
export const vapiTranscript = (messages: unknown): TranscriptEntry[] | null =>
	transcriptFrom(messages, (item) => {
		const role = SPOKEN_ROLES.get(asString(item.role) ?? '');
		return role === undefined ? null : { role, text: item.message, at: item.time };
	});

const SPEAKERS = new Map([
	['ai', 'assistant'],
	['bot', 'assistant'],
	['assistant', 'assistant'],
	['user', 'user'],
]);

/**
 * `artifact.transcript`, the text form ("AI: …\nUser: …", derived from the messages), for a report
 * without messages; no times. A line without a speaker continues the previous one.
 */
export function vapiTextTranscript(transcript: unknown): TranscriptEntry[] | null {
	if (typeof transcript !== 'string') return null;
	const entries: TranscriptEntry[] = [];
	for (const line of transcript.split('\n')) {
		const match = /^\s*(\w+):\s?(.*)$/.exec(line);
		const role = match ? SPEAKERS.get(match[1].toLowerCase()) : undefined;
		if (match && role) entries.push({ role, text: match[2].trim(), at: null });
		else if (entries.length > 0 && line.trim() !== '') entries[entries.length - 1].text += ` ${line.trim()}`;
	}
	return entries;
}

/** The messages; when a report has none, its text transcript. */
function transcriptOf(artifact: IDataObject): TranscriptEntry[] | null {
	const spoken = vapiTranscript(artifact.messages);
	return spoken !== null && spoken.length > 0 ? spoken : (vapiTextTranscript(artifact.transcript) ?? spoken);
}

/**
 * The success evaluation. A pass/fail verdict ("true"/"false", Vapi's PassFail rubric) reads as
 * successful/unsuccessful, the words Retell's verdict gets, so one workflow compares platforms;
 * any other rubric's answer ("8", "Excellent"…) passes as Vapi worded it.
 */
function successEvaluation(value: unknown): string | null {
	const sent = typeof value === 'boolean' ? String(value) : asString(value);
	const passFail = sent?.trim().toLowerCase();
	if (passFail === 'true' || passFail === 'false') return verdict(passFail === 'true');
	return sent;
}

const DIRECTIONS = new Map([
	['inboundPhoneCall', 'inbound'],
	['outboundPhoneCall', 'outbound'],
]);

/**
 * Vapi documents no delivery id and, by default, no retries; a server's `backoffPlan` makes it
 * retry non-2xx answers. So the id is derived from what happens once per call: its report, and
 * each status it enters. Other messages (transcripts, conversation updates…) get none.
 */
function deliveryId(payload: IDataObject): string | null {
	const message = asObject(payload.message);
	const callId = asString(asObject(message.call).id);
	const type = asString(message.type);
	if (callId === null) return null;
	if (type === 'end-of-call-report') return `${callId}:end-of-call-report`;
	const status = asString(message.status);
	// A call can be forwarded more than once: each `forwarding` is its own event.
	if (status === 'forwarding') return null;
	return type === 'status-update' && status !== null ? `${callId}:status-update:${status}` : null;
}

/** Headers of Vapi's HMAC credential with its defaults (HmacAuthenticationPlan). */
const SIGNATURE_HEADER = 'x-signature';
const TIMESTAMP_HEADER = 'x-timestamp';

/**
 * The unit of `x-timestamp` is not documented: 13 digits or more are read as milliseconds, fewer as
 * seconds. It is signed as sent either way.
 */
const timestampSeconds = (sent: string): number =>
	/^\d{1,16}$/.test(sent) ? (sent.length >= 13 ? Math.floor(Number(sent) / 1000) : Number(sent)) : NaN;

/**
 * Vapi's HMAC credential with its defaults: `x-signature` = hex HMAC-SHA256 of
 * `{timestamp}.{body}` keyed with the Secret Key as text, the timestamp in `x-timestamp`.
 */
const vapiHmac: VerificationScheme = {
	value: 'vapiHmac',
	name: 'HMAC Signature (X-Signature)',
	description: 'A Vapi HMAC credential with its defaults: SHA256, x-signature, x-timestamp, {timestamp}.{body}, hex',
	key: 'textSecret',
	parameters: ['toleranceSeconds'],
	verify({ headers, body }, secret, settings) {
		const signature = header(headers, SIGNATURE_HEADER);
		const timestamp = header(headers, TIMESTAMP_HEADER);
		if (signature === undefined || timestamp === undefined) return invalid('missing signature headers');
		return verifyHmac({
			secret,
			signed: [timestamp, '.', body],
			signatures: signature.trim() === '' ? [] : [signature.trim()],
			timestampSeconds: timestampSeconds(timestamp),
			toleranceSeconds: settings.toleranceSeconds,
		});
	},
};

/** Vapi's Bearer Token credential as its docs recommend it: `Authorization: Bearer <token>`. */
const vapiBearerToken: VerificationScheme = {
	value: 'vapiBearerToken',
	name: 'Bearer Token (Authorization)',
	description: 'A Vapi Bearer Token credential with header Authorization and the Bearer prefix on',
	key: 'textSecret',
	verify({ headers }, secret) {
		const authorization = header(headers, 'authorization');
		if (authorization === undefined) return invalid('missing authorization header');
		const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
		return token === undefined ? invalid('malformed authorization header') : verifySharedSecret(token, secret);
	},
};

/** The legacy inline `secret` (or a Bearer Token credential on X-Vapi-Secret, no prefix): the secret verbatim. */
const vapiSecret: VerificationScheme = {
	value: 'vapiSecret',
	name: 'X-Vapi-Secret Header (Legacy)',
	description: 'The server’s legacy secret, sent verbatim in X-Vapi-Secret',
	key: 'textSecret',
	verify: ({ headers }, secret) => verifySharedSecret(header(headers, 'x-vapi-secret'), secret),
};

export const vapi: Platform = {
	id: 'vapi',
	displayName: 'Vapi',
	description: 'Server messages: end-of-call report with analysis, call status updates',
	urlGoesTo:
		'into Vapi as the Server URL (assistant, phone number or organization) with your credential attached, and set its Server Messages to end-of-call-report and status-update: each other message (speech updates…) would be a delivery too',
	// Vapi calls Bearer Token in Authorization "the recommended approach"; HMAC also signs the body and time.
	verification: [vapiBearerToken, vapiHmac, vapiSecret, noVerification],
	defaultVerification: vapiBearerToken.value,
	events: [
		{ ...EVENTS.sessionStarted, description: 'Vapi status-update with status in-progress: the call has started' },
		{ ...EVENTS.sessionUpdated, description: 'Vapi status-update with any other status (ringing, forwarding, ended…)' },
		{ ...EVENTS.sessionEnded, description: 'Vapi end-of-call-report: summary, structured data, success evaluation, transcript, recording' },
	],
	// Vapi sends a message for everything (each speech update, tool call…) to the same URL: a new
	// trigger takes the call's lifecycle only; the rest stays one click away (All / Other Events).
	defaultEvents: [EVENTS.sessionStarted.value, EVENTS.sessionUpdated.value, EVENTS.sessionEnded.value],
	deliveryId: (_headers, payload) => deliveryId(payload),
	parse(payload) {
		const message = asObject(payload.message);
		const eventType = asString(message.type);
		const schema = eventType ? schemas.get(eventType) : undefined;
		const callObject = asObject(message.call);
		const artifactObject = asObject(message.artifact);
		const analysisObject = asObject(message.analysis);
		const direction = DIRECTIONS.get(asString(callObject.type) ?? '') ?? null;
		const customerNumber = asString(asObject(message.customer).number) ?? asString(asObject(callObject.customer).number);
		const ourNumber = asString(asObject(message.phoneNumber).number);
		const recording = asObject(asObject(artifactObject.recording).mono);
		return {
			event: eventType ? eventName(eventType, message) : 'unknown',
			expectsStream: false,
			warnings: schemaWarnings(schema ?? envelope, payload),
			fields: {
				eventType,
				sessionId: asString(callObject.id),
				agentId: asString(callObject.assistantId),
				direction,
				...callParties(direction, customerNumber, ourNumber),
				startedAt: toIsoTime(message.startedAt ?? callObject.startedAt),
				endedAt: toIsoTime(message.endedAt ?? callObject.endedAt),
				summary: asString(analysisObject.summary) ?? asString(message.summary),
				resolution: successEvaluation(analysisObject.successEvaluation),
				extracted: asObject(analysisObject.structuredData),
				variables: asObject(asObject(callObject.assistantOverrides).variableValues),
				transcript: transcriptOf(artifactObject),
				recordingUrl: asString(artifactObject.recordingUrl) ?? asString(recording.combinedUrl),
				endedReason: asString(message.endedReason) ?? asString(callObject.endedReason),
			},
		};
	},
};
