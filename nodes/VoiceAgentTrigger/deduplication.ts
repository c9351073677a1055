import type { IDataObject } from 'n8n-workflow';

import { remember } from '../shared/boundedMap';

/** How many recent delivery ids are remembered per trigger, and for how long. */
export const DEDUPLICATION_LIMIT = 1000;
export const DEDUPLICATION_MAX_AGE_MS = 24 * 60 * 60 * 1000; // Svix retries for up to 24 h
/** A claimed delivery whose execution n8n has not confirmed by then is free again (n8n failed to start it). */
export const PENDING_MAX_AGE_MS = 30_000;
/**
 * Acknowledge "when the workflow succeeds": the claim lasts until n8n answers (then it is confirmed
 * or released), so a copy arriving while a long workflow still runs gets 409, not a second run.
 * This bound only frees a claim whose answer never came; a workflow running longer lets a copy in.
 */
export const RUN_CLAIM_MAX_AGE_MS = 60 * 60 * 1000;

/** `new`: run it; `duplicate`: it ran already; `in_progress`: a copy is being accepted right now. */
export type ClaimResult = 'new' | 'duplicate' | 'in_progress';

// n8n hands every request its own copy of the workflow's static data, so two copies arriving
// together would both pass a static-data check. This process's own record (oldest first)
// closes that gap; static data carries the ids across restarts.
const seenInProcess = new Map<string, Map<string, number>>();
// Claimed but not yet confirmed: n8n has not created the execution yet (or, when acknowledging on
// success, the workflow has not finished), and may fail to.
interface PendingClaim {
	at: number;
	expiresAt: number;
}
const pendingInProcess = new Map<string, Map<string, PendingClaim>>();
const PROCESS_SCOPE_LIMIT = 256;

/**
 * Ids stored in static data (an object so that n8n can save it as JSON), oldest first. Sorted by
 * time, not taken in key order: JavaScript lists integer-like keys ("1042") before all others and
 * in numeric order, so a numeric id seen long ago could sit after a recent one, and pruning, which
 * stops at the first id young enough, would keep it past DEDUPLICATION_MAX_AGE_MS.
 */
function storedIds(staticData: IDataObject): Array<[string, number]> {
	const stored = staticData.deliveries;
	if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return [];
	return Object.entries(stored)
		.filter((entry): entry is [string, number] => typeof entry[1] === 'number')
		.sort(([, a], [, b]) => a - b);
}

/** When static data recorded this id (an own key: ids are the sender's text), without sorting the list. */
function storedTime(staticData: IDataObject, id: string): number | undefined {
	const stored = staticData.deliveries;
	if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return undefined;
	const at = Object.prototype.hasOwnProperty.call(stored, id) ? (stored as IDataObject)[id] : undefined;
	return typeof at === 'number' ? at : undefined;
}

function processRecord(scope: string, staticData: IDataObject, nowMs: number): Map<string, number> {
	// After a restart, start from what the last run of this process saved.
	const seen = seenInProcess.get(scope) ?? remember(seenInProcess, scope, new Map(storedIds(staticData)), PROCESS_SCOPE_LIMIT);
	for (const [id, at] of seen) {
		if (nowMs - at < DEDUPLICATION_MAX_AGE_MS && seen.size <= DEDUPLICATION_LIMIT) break;
		seen.delete(id); // oldest first: stop at the first id that is young enough
	}
	return seen;
}

/**
 * Claims a delivery id. Synchronous from check to record, so concurrent copies in one process
 * cannot both get `new`. The claim stays pending until rememberDeliveries() confirms it,
 * releaseDelivery() gives it up, or `holdMs` passes.
 * @param scope identifies the trigger (workflow and node)
 * @param staticData the node's static data as loaded for this request
 * @param holdMs how long an unsettled claim keeps copies out (PENDING_MAX_AGE_MS or RUN_CLAIM_MAX_AGE_MS)
 */
export function claimDelivery(
	scope: string,
	staticData: IDataObject,
	id: string,
	nowMs = Date.now(),
	holdMs = PENDING_MAX_AGE_MS,
): ClaimResult {
	const seen = processRecord(scope, staticData, nowMs);
	// By age, not mere presence: pruning keeps the record bounded, this keeps it correct.
	const seenAt = seen.get(id);
	if (seenAt !== undefined && nowMs - seenAt < DEDUPLICATION_MAX_AGE_MS) return 'duplicate';
	const storedAt = storedTime(staticData, id);
	if (storedAt !== undefined && nowMs - storedAt < DEDUPLICATION_MAX_AGE_MS) return 'duplicate';
	const pending = pendingInProcess.get(scope) ?? remember(pendingInProcess, scope, new Map<string, PendingClaim>(), PROCESS_SCOPE_LIMIT);
	const claim = pending.get(id);
	if (claim !== undefined && nowMs < claim.expiresAt) return 'in_progress';
	for (const [pendingId, { expiresAt }] of pending) if (nowMs >= expiresAt) pending.delete(pendingId);
	pending.set(id, { at: nowMs, expiresAt: nowMs + holdMs });
	return 'new';
}

/**
 * Confirms a claimed delivery once n8n has created its execution, and writes the ids this
 * process knows into the node's static data, which n8n saves with the workflow: whichever
 * request saves last carries every id confirmed when it was answered.
 */
export function rememberDeliveries(scope: string, staticData: IDataObject, id: string, nowMs = Date.now()): void {
	const seen = processRecord(scope, staticData, nowMs);
	const seenAt = pendingInProcess.get(scope)?.get(id)?.at ?? nowMs;
	seen.delete(id); // re-inserted at the end: the record stays oldest first
	seen.set(id, seenAt);
	pendingInProcess.get(scope)?.delete(id);
	const merged = new Map(storedIds(staticData).filter(([, at]) => nowMs - at < DEDUPLICATION_MAX_AGE_MS));
	for (const [seenId, at] of seen) merged.set(seenId, at);
	const newest = [...merged].sort(([, a], [, b]) => a - b).slice(-DEDUPLICATION_LIMIT);
	staticData.deliveries = Object.fromEntries(newest);
}

/**
 * Gives up a claim whose workflow failed: nothing is remembered, so the sender's retry runs the
 * workflow again. Only the pending claim goes; an id already confirmed stays a duplicate.
 */
export function releaseDelivery(scope: string, id: string): void {
	pendingInProcess.get(scope)?.delete(id);
}

/** Forgets this process's record (tests). */
export function resetDeduplication(): void {
	seenInProcess.clear();
	pendingInProcess.clear();
}
