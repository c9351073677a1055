/**
 * Stores `value` under `key` in a map that holds at most `limit` entries, evicting the oldest
 * inserted first: the process-wide caches here are small and must never grow with what senders
 * send. Returns the value.
 */
export function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number): V {
	if (!map.has(key) && map.size >= limit) map.delete(map.keys().next().value as K);
	map.set(key, value);
	return value;
}
