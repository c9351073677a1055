import type { IDataObject } from 'n8n-workflow';
import type { ZodTypeAny } from 'zod';

import type { EventFields } from '../VoiceAgentEvent';

/** What a platform module makes of one verified delivery. */
export interface ParsedDelivery {
	/** Normalised event name (see VoiceAgentEvent.event). */
	event: string;
	fields: EventFields;
	/** Where the payload departs from the platform's documented schema. */
	warnings: string[];
	/** The platform keeps the request open and waits for an SSE answer (a live turn). */
	expectsStream: boolean;
	/** The platform waits for the workflow's reply as one plain JSON answer (Layercode `data`). */
	expectsJsonReply?: boolean;
}

export interface PlatformModule {
	/** The value of the trigger's Platform parameter. */
	id: string;
	displayName: string;
	parse(payload: IDataObject): ParsedDelivery;
}

/** Turns zod's complaints into short, readable warnings such as `data.session_id: Required`. */
export function schemaWarnings(schema: ZodTypeAny, payload: unknown): string[] {
	const result = schema.safeParse(payload);
	if (result.success) return [];
	return result.error.issues.map(
		(issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`,
	);
}
