// Command-line values the benchmarks share: counts and `--env NAME=VALUE` pairs.

/** An integer ≥ min from its command-line text, or an Error saying what is wrong. */
export function parseCount(name: string, raw: string, min: number): number {
	const value = Number(raw);
	if (raw.trim() === '' || !Number.isInteger(value) || value < min) {
		throw new Error(`--${name} must be an integer ≥ ${min} (got "${raw}")`);
	}
	return value;
}

/** `--env NAME=VALUE` pairs as an environment (a later pair wins); an Error for a pair without a name. */
export function parseEnvPairs(pairs: string[]): Record<string, string> {
	return Object.fromEntries(
		pairs.map((pair) => {
			const at = pair.indexOf('=');
			if (at < 1) throw new Error(`--env wants NAME=VALUE (got "${pair}")`);
			return [pair.slice(0, at), pair.slice(at + 1)];
		}),
	);
}

/** `NAME=VALUE NAME=VALUE`, or `defaults` for none. */
export const describeEnv = (env: Record<string, string>) =>
	Object.entries(env)
		.map(([name, value]) => `${name}=${value}`)
		.join(' ') || 'defaults';

/** A parsed option, or, when parsing throws, the script's usage message with the reason (which exits). */
export function optionOrUsage<T>(read: () => T, usage: (problem: string) => never): T {
	try {
		return read();
	} catch (error) {
		return usage((error as Error).message);
	}
}

/** Where a benchmark runs n8n: one process (regular mode, SQLite), or the scaled topology (docs/deployment.md). */
export type Topology = 'single' | 'scaled';

/** `--topology single|scaled|both` as the topologies to measure, in order; an Error for anything else. */
export function parseTopology(raw: string): Topology[] {
	switch (raw.trim()) {
		case 'single':
			return ['single'];
		case 'scaled':
			return ['scaled'];
		case 'both':
			return ['single', 'scaled'];
		default:
			throw new Error(`--topology must be single, scaled or both (got "${raw}")`);
	}
}
