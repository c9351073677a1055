import type { IDataObject } from 'n8n-workflow';

/** How many recent delivery ids are remembered per trigger, and for how long. */
export const DEDUPLICATION_LIMIT = 1000;
export const DEDUPLICATION_MAX_AGE_MS = 24 * 60 * 60 * 1000; // Svix retries for up to 24 h

// n8n hands every request its own copy of the workflow's static data, so two copies arriving
// together would both pass a static-data check. This process's own record (oldest first)
// closes that gap; static data carries the ids across restarts.
const seenInProcess = new Map<string, Map<string, number>>();
const PROCESS_SCOPE_LIMIT = 256;

/** Ids stored in static data (an object so that n8n can save it as JSON), oldest first. */
function storedIds(staticData: IDataObject): Array<[string, number]> {
	const stored = staticData.deliveries;
	if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return [];
	return Object.entries(stored).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
}

function processRecord(scope: string, staticData: IDataObject, nowMs: number): Map<string, number> {
	let seen = seenInProcess.get(scope);
	if (!seen) {
		if (seenInProcess.size >= PROCESS_SCOPE_LIMIT) {
			seenInProcess.delete(seenInProcess.keys().next().value as string);
		}
		// After a restart, start from what the last run of this process saved.
		seen = new Map(storedIds(staticData));
		seenInProcess.set(scope, seen);
	}
	for (const [id, at] of seen) {
		if (nowMs - at < DEDUPLICATION_MAX_AGE_MS && seen.size <= DEDUPLICATION_LIMIT) break;
		seen.delete(id); // oldest first: stop at the first id that is young enough
	}
	return seen;
}

/**
 * Records a delivery id; false when it was seen before (a retry or a concurrent copy).
 * Synchronous from check to record, so concurrent requests in one process cannot both win.
 * @param scope identifies the trigger (workflow and node)
 * @param staticData the node's static data as loaded for this request
 */
export function claimDelivery(scope: string, staticData: IDataObject, id: string, nowMs = Date.now()): boolean {
	const seen = processRecord(scope, staticData, nowMs);
	if (seen.has(id)) return false;
	const stored = storedIds(staticData).find(([storedId]) => storedId === id);
	if (stored && nowMs - stored[1] < DEDUPLICATION_MAX_AGE_MS) return false;
	seen.set(id, nowMs);
	return true;
}

/**
 * Writes the ids this process knows into the node's static data, which n8n saves with the
 * workflow: whichever request saves last carries every id known when it was answered.
 */
export function rememberDeliveries(scope: string, staticData: IDataObject, nowMs = Date.now()): void {
	const seen = processRecord(scope, staticData, nowMs);
	const merged = new Map(storedIds(staticData).filter(([, at]) => nowMs - at < DEDUPLICATION_MAX_AGE_MS));
	for (const [id, at] of seen) merged.set(id, at);
	const newest = [...merged].sort(([, a], [, b]) => a - b).slice(-DEDUPLICATION_LIMIT);
	staticData.deliveries = Object.fromEntries(newest);
}

/** Forgets this process's record (tests). */
export function resetDeduplication(): void {
	seenInProcess.clear();
}
