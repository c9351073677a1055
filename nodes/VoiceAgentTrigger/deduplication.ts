import type { IDataObject } from 'n8n-workflow';

/** How many recent delivery ids are remembered per trigger, and for how long. */
export const DEDUPLICATION_LIMIT = 1000;
export const DEDUPLICATION_MAX_AGE_MS = 24 * 60 * 60 * 1000; // Svix retries for up to 24 h

type SeenIds = Record<string, number>; // delivery id → Unix ms first seen

// n8n hands every request its own copy of the workflow's static data and saves it only when
// the execution ends, so two copies arriving together would both pass a static-data check.
// This process's own record closes that gap; static data carries the ids across restarts.
const seenInProcess = new Map<string, SeenIds>();
const PROCESS_SCOPE_LIMIT = 256;

function keepRecent(ids: SeenIds, nowMs: number): SeenIds {
	const recent = Object.entries(ids)
		.filter(([, at]) => typeof at === 'number' && nowMs - at < DEDUPLICATION_MAX_AGE_MS)
		.sort(([, a], [, b]) => b - a)
		.slice(0, DEDUPLICATION_LIMIT);
	return Object.fromEntries(recent);
}

function processRecord(scope: string): SeenIds {
	let ids = seenInProcess.get(scope);
	if (!ids) {
		if (seenInProcess.size >= PROCESS_SCOPE_LIMIT) {
			seenInProcess.delete(seenInProcess.keys().next().value as string);
		}
		ids = {};
		seenInProcess.set(scope, ids);
	}
	return ids;
}

/**
 * Records a delivery id; false when it was seen before (a retry or a concurrent copy).
 * Synchronous from check to record, so concurrent requests in one process cannot both win.
 * @param scope identifies the trigger (workflow and node)
 * @param staticData the node's static data, persisted by n8n with the execution
 */
export function claimDelivery(scope: string, staticData: IDataObject, id: string, nowMs = Date.now()): boolean {
	const inProcess = processRecord(scope);
	const persisted = (staticData.deliveries ?? {}) as SeenIds;
	const seenAt = inProcess[id] ?? persisted[id];
	if (typeof seenAt === 'number' && nowMs - seenAt < DEDUPLICATION_MAX_AGE_MS) return false;

	inProcess[id] = nowMs;
	const merged = keepRecent({ ...persisted, ...inProcess }, nowMs);
	seenInProcess.set(scope, merged);
	// Whatever execution saves last carries every id this process knew when it started.
	staticData.deliveries = merged;
	return true;
}

/** Forgets this process's record (tests). */
export function resetDeduplication(): void {
	seenInProcess.clear();
}
