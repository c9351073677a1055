import { createHash } from 'node:crypto';

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
// closes that gap; static data carries the ids across restarts. Both hold delivery keys.
const seenInProcess = new Map<string, Map<string, number>>();
// Claimed but not yet confirmed: n8n has not created the execution yet (or, when acknowledging on
// success, the workflow has not finished), and may fail to.
interface PendingClaim {
	at: number;
	expiresAt: number;
}
const pendingInProcess = new Map<string, Map<string, PendingClaim>>();
const PROCESS_SCOPE_LIMIT = 256;

const KEY_LENGTH = 12;
/** Milliseconds in base 36, zero-padded: 8 digits last until the year 2059. */
const TIME_LENGTH = 8;
const ENTRY_LENGTH = KEY_LENGTH + TIME_LENGTH;
const ENTRY = /^[A-Za-z0-9_-]{12}[0-9a-z]{8}$/;

/**
 * What the record keeps of a delivery id: 12 base64url characters (72 bits) of its SHA-256, so
 * that an entry has a fixed width whatever the sender's id. Two ids sharing a key among the
 * 1,000 kept: under 1 in 10^18 per delivery.
 */
export function deliveryKey(id: string): string {
	return createHash('sha256').update(id).digest('base64url').slice(0, KEY_LENGTH);
}

/**
 * The record in static data is one string of fixed-width entries (key, then time), oldest first.
 * n8n loads the workflow's static data with every request and saves it with every accepted
 * delivery: as an object of 1,000 ids it cost a busy trigger more than the rest of a delivery
 * (27 instead of 12 ms of n8n CPU, bench:deliveries --prefill 1000).
 */
export function deliveryRecord(entries: Array<[string, number]>): string {
	return entries.map(([key, at]) => key + at.toString(36).padStart(TIME_LENGTH, '0')).join('');
}

/** The record's entries, oldest first (sorted again: pruning stops at the first young one); entries that do not parse are left out. */
export function recordedDeliveries(staticData: IDataObject): Array<[string, number]> {
	const stored = staticData.deliveries;
	if (typeof stored !== 'string') return [];
	const entries: Array<[string, number]> = [];
	for (let at = 0; at + ENTRY_LENGTH <= stored.length; at += ENTRY_LENGTH) {
		const entry = entryAt(stored, at);
		if (entry) entries.push(entry);
	}
	return entries.sort(([, a], [, b]) => a - b);
}

/** The record's entry starting at `at`, if it parses. */
function entryAt(stored: string, at: number): [string, number] | undefined {
	const entry = stored.slice(at, at + ENTRY_LENGTH);
	return ENTRY.test(entry) ? [entry.slice(0, KEY_LENGTH), parseInt(entry.slice(KEY_LENGTH), 36)] : undefined;
}

/** When static data recorded this key, without decoding the whole record. */
function storedTime(staticData: IDataObject, key: string): number | undefined {
	const stored = staticData.deliveries;
	if (typeof stored !== 'string') return undefined;
	for (let at = 0; at + ENTRY_LENGTH <= stored.length; at += ENTRY_LENGTH) {
		if (stored.startsWith(key, at)) return entryAt(stored, at)?.[1];
	}
	return undefined;
}

function processRecord(scope: string, staticData: IDataObject, nowMs: number): Map<string, number> {
	// After a restart, start from what the last run of this process saved.
	const seen = seenInProcess.get(scope) ?? remember(seenInProcess, scope, new Map(recordedDeliveries(staticData)), PROCESS_SCOPE_LIMIT);
	for (const [key, at] of seen) {
		if (nowMs - at < DEDUPLICATION_MAX_AGE_MS && seen.size <= DEDUPLICATION_LIMIT) break;
		seen.delete(key); // oldest first: stop at the first key that is young enough
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
	const key = deliveryKey(id);
	const seen = processRecord(scope, staticData, nowMs);
	// By age, not mere presence: pruning keeps the record bounded, this keeps it correct.
	const seenAt = seen.get(key);
	if (seenAt !== undefined && nowMs - seenAt < DEDUPLICATION_MAX_AGE_MS) return 'duplicate';
	const storedAt = storedTime(staticData, key);
	if (storedAt !== undefined && nowMs - storedAt < DEDUPLICATION_MAX_AGE_MS) return 'duplicate';
	const pending = pendingInProcess.get(scope) ?? remember(pendingInProcess, scope, new Map<string, PendingClaim>(), PROCESS_SCOPE_LIMIT);
	const claim = pending.get(key);
	if (claim !== undefined && nowMs < claim.expiresAt) return 'in_progress';
	for (const [pendingKey, { expiresAt }] of pending) if (nowMs >= expiresAt) pending.delete(pendingKey);
	pending.set(key, { at: nowMs, expiresAt: nowMs + holdMs });
	return 'new';
}

/**
 * Confirms a claimed delivery once n8n has created its execution, and writes the ids this
 * process knows into the node's static data, which n8n saves with the workflow: whichever
 * request saves last carries every id confirmed when it was answered.
 */
export function rememberDeliveries(scope: string, staticData: IDataObject, id: string, nowMs = Date.now()): void {
	const key = deliveryKey(id);
	const seen = processRecord(scope, staticData, nowMs);
	const seenAt = pendingInProcess.get(scope)?.get(key)?.at ?? nowMs;
	seen.delete(key); // re-inserted at the end: the record stays oldest first
	seen.set(key, seenAt);
	pendingInProcess.get(scope)?.delete(key);
	const merged = new Map(recordedDeliveries(staticData).filter(([, at]) => nowMs - at < DEDUPLICATION_MAX_AGE_MS));
	for (const [seenKey, at] of seen) merged.set(seenKey, at);
	const newest = [...merged].sort(([, a], [, b]) => a - b).slice(-DEDUPLICATION_LIMIT);
	staticData.deliveries = deliveryRecord(newest);
}

/**
 * Gives up a claim whose workflow failed: nothing is remembered, so the sender's retry runs the
 * workflow again. Only the pending claim goes; an id already confirmed stays a duplicate.
 */
export function releaseDelivery(scope: string, id: string): void {
	pendingInProcess.get(scope)?.delete(deliveryKey(id));
}

/** Forgets this process's record (tests). */
export function resetDeduplication(): void {
	seenInProcess.clear();
	pendingInProcess.clear();
}
