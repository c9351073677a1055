// Runs a number of tasks with a fixed number in flight, the way a sender with a connection limit does.

/**
 * Calls task(0) … task(count - 1) with at most `inFlight` running at once, each next one as soon
 * as one ends; resolves to their results in index order. A task that throws rejects the whole run,
 * so tasks report their own failures in their result.
 */
export async function runWithConcurrency<T>(count: number, inFlight: number, task: (index: number) => Promise<T>): Promise<T[]> {
	if (!Number.isInteger(inFlight) || inFlight < 1) throw new Error(`in flight must be an integer ≥ 1 (got ${inFlight})`);
	const results = new Array<T>(count);
	let next = 0;
	const worker = async () => {
		while (next < count) {
			const index = next++;
			results[index] = await task(index);
		}
	};
	await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
	return results;
}
