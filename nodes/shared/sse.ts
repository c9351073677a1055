import type { IDataObject } from 'n8n-workflow';

/** The events a turn's answer is made of (Layercode's protocol, also used by its SDK). */
export const TURN_EVENT_TYPES = ['response.tts', 'response.data', 'response.end', 'response.error'] as const;
export type TurnEventType = (typeof TURN_EVENT_TYPES)[number];

export interface TurnEvent extends IDataObject {
	type: TurnEventType;
}

export const SSE_HEADERS: Record<string, string> = {
	'Content-Type': 'text/event-stream',
	// no-transform also keeps n8n's compression middleware away from the stream.
	'Cache-Control': 'no-cache, no-transform',
	Connection: 'keep-alive',
	'X-Accel-Buffering': 'no',
};

export function isTurnEvent(value: unknown): value is TurnEvent {
	return (
		value !== null &&
		typeof value === 'object' &&
		TURN_EVENT_TYPES.includes((value as IDataObject).type as TurnEventType)
	);
}

/**
 * One SSE frame: a single `data:` line of compact JSON and a blank line; the request's turn id is
 * filled in. Without one (neither the request's nor the event's own) the key is left out, as
 * Layercode's own SDK does, rather than sent as `null`.
 */
export function sseFrame(event: TurnEvent, turnId: string | null): string {
	const { turn_id: own, ...rest } = event;
	const id = turnId ?? own;
	return `data: ${JSON.stringify(id === null || id === undefined ? rest : { ...rest, turn_id: id })}\n\n`;
}
