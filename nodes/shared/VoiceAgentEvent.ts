import type { IDataObject } from 'n8n-workflow';

/** One line of a conversation, the same shape for every platform. */
export interface TranscriptEntry extends IDataObject {
	role: 'user' | 'assistant' | 'system' | 'tool' | string;
	text: string;
	/** ISO 8601, or null when the platform gave no time. */
	at: string | null;
}

/**
 * The caller talked over the agent's previous answer (barge-in): what of it they heard. Every
 * part may be missing; a platform that does not report interruptions leaves the whole key null.
 */
export interface Interruption extends IDataObject {
	previousTurnInterrupted: boolean | null;
	wordsHeard: number | null;
	textHeard: string | null;
	/** The agent turn that was cut off. */
	assistantTurnId: string | null;
}

/** What a platform module reads from a payload. */
interface PlatformFields {
	/** The event name as the platform sent it. */
	eventType: string | null;
	sessionId: string | null;
	conversationId: string | null;
	turnId: string | null;
	agentId: string | null;
	text: string | null;
	channel: string | null;
	platform: string | null;
	direction: string | null;
	from: string | null;
	to: string | null;
	startedAt: string | null;
	endedAt: string | null;
	durationSeconds: number | null;
	summary: string | null;
	intent: string | null;
	resolution: string | null;
	sentiment: string | null;
	extracted: IDataObject;
	variables: IDataObject;
	transcript: TranscriptEntry[] | null;
	recordingUrl: string | null;
	/** Why the call ended, in the platform's words (Retell `disconnection_reason`, Vapi `endedReason`). */
	endedReason: string | null;
	interruption: Interruption | null;
}

/** The fields a platform module fills in; everything else is null. */
export type EventFields = Partial<PlatformFields>;

/**
 * The trigger's output item: the same keys for every platform, so one CRM workflow serves all.
 * A value the platform did not send is null, never a made-up default.
 */
export interface VoiceAgentEvent extends PlatformFields, IDataObject {
	provider: string;
	/** Normalised: session.started, session.ended, session.updated, turn.message, turn.welcome, client.data, or the sent name for events this package does not know yet. */
	event: string;
	deliveryId: string | null;
	raw: IDataObject;
	/** Where the payload did not match the platform's documented schema (lenient mode). */
	warnings?: string[];
}

/**
 * Seconds from `startedAt` to `endedAt` (ISO strings or anything toIsoTime reads), to the
 * millisecond; null when either is missing or unreadable, and null with a warning when the end is
 * before the start: a made-up or negative call length is worse than none in a CRM.
 */
export function secondsBetween(startedAt: unknown, endedAt: unknown): { seconds: number | null; warning?: string } {
	const start = toIsoTime(startedAt);
	const end = toIsoTime(endedAt);
	if (start === null || end === null) return { seconds: null };
	const ms = Date.parse(end) - Date.parse(start);
	if (ms < 0) return { seconds: null, warning: 'durationSeconds: endedAt is before startedAt, so no duration was computed' };
	return { seconds: ms / 1000 };
}

/**
 * The normalised name of a platform's event: its entry in `names`, else the name as sent; an
 * empty or missing name is "unknown". `names` is a Map, so a sent `constructor` finds nothing.
 */
export const normalisedEvent = (names: ReadonlyMap<string, string>, sent: string | null): string =>
	sent ? (names.get(sent) ?? sent) : 'unknown';

/** A platform's pass/fail verdict in the one pair of words every platform's `resolution` uses. */
export const verdict = (passed: boolean): 'successful' | 'unsuccessful' => (passed ? 'successful' : 'unsuccessful');

/**
 * Caller and callee: the customer calls in on an inbound call and is called on an outbound one
 * (a call whose direction is not said counts as inbound, the common case).
 */
export const callParties = (direction: string | null, customer: string | null, ours: string | null) =>
	direction?.toLowerCase() === 'outbound' ? { from: ours, to: customer } : { from: customer, to: ours };

/** What one platform entry says: its role, words and time, in whatever form the platform sends them. */
export interface TranscriptLine {
	role: unknown;
	text: unknown;
	at?: unknown;
}

/**
 * A platform's list of conversation lines in the common shape: roles in lower case, times as ISO.
 * `read` picks the parts of one entry, or returns null to leave it out (a tool call is not speech).
 * Null when the platform sent no list.
 */
export function transcriptFrom(value: unknown, read: (entry: IDataObject) => TranscriptLine | null): TranscriptEntry[] | null {
	if (!Array.isArray(value)) return null;
	const entries: TranscriptEntry[] = [];
	for (const raw of value) {
		const line = read(asObject(raw));
		if (line === null) continue;
		entries.push({
			role: (asString(line.role) ?? '').toLowerCase(),
			text: asString(line.text) ?? '',
			at: toIsoTime(line.at),
		});
	}
	return entries;
}

export function buildEvent(
	provider: string,
	event: string,
	fields: EventFields,
	raw: IDataObject,
	deliveryId: string | null,
): VoiceAgentEvent {
	// A duration the platform sent wins; otherwise it is computed, for every platform alike.
	const computed = fields.durationSeconds == null ? secondsBetween(fields.startedAt, fields.endedAt) : undefined;
	const item: VoiceAgentEvent = {
		provider,
		event,
		eventType: fields.eventType ?? null,
		deliveryId,
		sessionId: fields.sessionId ?? null,
		conversationId: fields.conversationId ?? null,
		turnId: fields.turnId ?? null,
		agentId: fields.agentId ?? null,
		text: fields.text ?? null,
		channel: fields.channel ?? null,
		platform: fields.platform ?? null,
		direction: fields.direction ?? null,
		from: fields.from ?? null,
		to: fields.to ?? null,
		startedAt: fields.startedAt ?? null,
		endedAt: fields.endedAt ?? null,
		durationSeconds: fields.durationSeconds ?? computed?.seconds ?? null,
		summary: fields.summary ?? null,
		intent: fields.intent ?? null,
		resolution: fields.resolution ?? null,
		sentiment: fields.sentiment ?? null,
		extracted: fields.extracted ?? {},
		variables: fields.variables ?? {},
		transcript: fields.transcript ?? null,
		recordingUrl: fields.recordingUrl ?? null,
		endedReason: fields.endedReason ?? null,
		interruption: fields.interruption ?? null,
		raw,
	};
	if (computed?.warning) item.warnings = [computed.warning];
	return item;
}

/** Unix milliseconds, Unix seconds or an ISO string → ISO string; anything else → null. */
export function toIsoTime(value: unknown): string | null {
	let ms = NaN;
	if (typeof value === 'number') ms = value < 1e12 ? value * 1000 : value; // seconds or milliseconds
	else if (typeof value === 'string' && value !== '') ms = Date.parse(value);
	// Out-of-range times (e.g. 1e20) make an Invalid Date, which toISOString() would throw on.
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const asString = (value: unknown): string | null =>
	typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

export const asNumber = (value: unknown): number | null =>
	typeof value === 'number' && Number.isFinite(value) ? value : null;

export const asObject = (value: unknown): IDataObject =>
	value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
