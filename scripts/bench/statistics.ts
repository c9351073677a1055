// The statistics both benchmarks report: percentiles and bootstrap intervals of ratios.

const BOOTSTRAP_RESAMPLES = 2000;

/** Percentile by linear interpolation between the closest ranks (R type 7, numpy's default); NaN for no values. */
export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const rank = (p / 100) * (sorted.length - 1);
	const low = Math.floor(rank);
	const high = Math.ceil(rank);
	return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** A small deterministic PRNG (mulberry32), so a re-analysis of the same samples gives the same interval. */
export function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** 95 % bootstrap interval of percentile(ours) / percentile(baseline), each side resampled on its own; NaNs when a side is empty. */
export function ratioInterval(ours: number[], base: number[], p: number): [number, number] {
	if (ours.length === 0 || base.length === 0) return [NaN, NaN];
	const random = prng(0x5eed);
	const resample = (values: number[]) => values.map(() => values[Math.floor(random() * values.length)]);
	const ratios: number[] = [];
	for (let i = 0; i < BOOTSTRAP_RESAMPLES; i++) ratios.push(percentile(resample(ours), p) / percentile(resample(base), p));
	return [percentile(ratios, 2.5), percentile(ratios, 97.5)];
}

export interface Spread {
	p50: number;
	p95: number;
	mean: number;
	min: number;
}

/** p50, p95, mean and minimum (NaN and Infinity for no values). */
export function spread(values: number[]): Spread {
	return {
		p50: percentile(values, 50),
		p95: percentile(values, 95),
		mean: values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : NaN,
		min: Math.min(...values),
	};
}
