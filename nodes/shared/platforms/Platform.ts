import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { ZodTypeAny } from 'zod';

import type { PlatformEvent } from '../events';
import type { VerificationScheme } from '../verification/schemes';
import type { IncomingHttpHeaders } from '../verification/headers';
import type { EventFields, TranscriptEntry } from '../VoiceAgentEvent';

/** What a platform makes of one verified delivery. */
export interface ParsedDelivery {
	/** Normalised event name (see events.ts); a name this package does not know passes as sent. */
	event: string;
	fields: EventFields;
	/** Where the payload departs from the platform's documented schema. */
	warnings: string[];
	/** The platform keeps the request open and waits for an SSE answer (a live turn). */
	expectsStream: boolean;
	/** The platform waits for the workflow's reply as one plain JSON answer (Layercode `data`). */
	expectsJsonReply?: boolean;
}

export interface SessionRef {
	sessionId: string;
	/** For platforms whose API addresses a session through its agent (Layercode). */
	agentId?: string;
}

/** Reads one JSON document at `path` under the credential's API Base URL, with the credential. */
export type GetJson = (path: string, qs?: IDataObject) => Promise<IDataObject>;

/** A platform's session API, as the Voice Agent node's Session resource reads it. */
export interface SessionApi {
	/** The session is found through its agent: the Session resource asks for an Agent ID too. */
	needsAgentId?: boolean;
	/** The session's path under the API Base URL, ids already checked (encode them anyway). */
	sessionPath(ref: SessionRef): string;
	/** The whole transcript, every page of it. */
	transcript(get: GetJson, ref: SessionRef): Promise<TranscriptEntry[]>;
}

/**
 * Everything the package knows about one platform. The trigger's parameters, its webhook handling
 * and the Voice Agent node's Session resource are built from these, so adding a platform is one
 * file plus one line in the registry (index.ts).
 */
export interface Platform {
	/** The value of the trigger's Platform parameter: never change it once shipped. */
	id: string;
	displayName: string;
	/** Shown under the name in the Platform dropdown. */
	description: string;
	/** Where the user pastes the Production URL, completing "paste this node's Production URL …". */
	urlGoesTo: string;
	/** The Verification dropdown for this platform, in the order shown. */
	verification: VerificationScheme[];
	/** The `value` of the entry selected for a new node. */
	defaultVerification: string;
	/** The normalised events this platform sends, offered in the Events parameter. */
	events: PlatformEvent[];
	/**
	 * The Events a new trigger starts with; all of them when absent. For a platform that sends
	 * many messages to the same URL (Vapi: every speech update), only those a workflow wants.
	 */
	defaultEvents?: string[];
	/**
	 * Live turns: n8n runs every delivery in streaming mode and the trigger answers the request
	 * itself (SSE for a turn, JSON for `expectsJsonReply`). Otherwise deliveries are acknowledged.
	 */
	streamsTurns?: boolean;
	/**
	 * The id that stays the same across the platform's retries of one delivery, for
	 * de-duplication; null when this delivery has none. Without this function the verification
	 * scheme's id (Standard Webhooks' `webhook-id`) is used.
	 */
	deliveryId?(headers: IncomingHttpHeaders, payload: IDataObject): string | null;
	/** Parameters only this platform has (Other: Event Field), shown when it is chosen. */
	properties?: INodeProperties[];
	/** Reads a delivery; `parameter` reads this platform's own properties. */
	parse(payload: IDataObject, parameter?: (name: string) => unknown): ParsedDelivery;
	/** The platform's session API: the Voice Agent node's Session resource. */
	api?: SessionApi;
	/**
	 * The trigger's Include Full Transcript option: for this event, the transcript is fetched
	 * through `api` before the workflow starts (for webhooks that carry only a summary).
	 */
	transcriptOnEvent?: string;
}

/** Turns zod's complaints into short, readable warnings such as `data.session_id: Required`. */
export function schemaWarnings(schema: ZodTypeAny, payload: unknown): string[] {
	const result = schema.safeParse(payload);
	if (result.success) return [];
	return result.error.issues.map(
		(issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`,
	);
}

