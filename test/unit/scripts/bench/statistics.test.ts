import { percentile, prng, ratioInterval, spread } from '../../../../scripts/bench/statistics';

describe('percentile', () => {
	it('interpolates between the closest ranks (numpy\'s default)', () => {
		expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
		expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
		expect(percentile([3, 1, 2], 0)).toBe(1);
		expect(percentile([3, 1, 2], 100)).toBe(3);
	});

	it('does not reorder its input', () => {
		const values = [3, 1, 2];
		percentile(values, 50);
		expect(values).toEqual([3, 1, 2]);
	});

	it('is NaN for no values', () => {
		expect(percentile([], 50)).toBeNaN();
	});
});

describe('prng', () => {
	it('repeats for the same seed and stays in [0, 1)', () => {
		const a = prng(42);
		const b = prng(42);
		const drawn = Array.from({ length: 1000 }, () => a());
		expect(drawn).toEqual(Array.from({ length: 1000 }, () => b()));
		expect(drawn.every((value) => value >= 0 && value < 1)).toBe(true);
		expect(prng(43)()).not.toBe(prng(42)());
	});
});

describe('ratioInterval', () => {
	it('brackets the ratio of the percentiles and is the same on every call', () => {
		const ours = Array.from({ length: 60 }, (_, i) => 20 + (i % 10));
		const base = Array.from({ length: 60 }, (_, i) => 10 + (i % 10) / 2);
		const [low, high] = ratioInterval(ours, base, 50);
		const ratio = percentile(ours, 50) / percentile(base, 50);
		expect(low).toBeLessThanOrEqual(ratio);
		expect(high).toBeGreaterThanOrEqual(ratio);
		expect(ratioInterval(ours, base, 50)).toEqual([low, high]);
	});

	it('is exact for constant samples', () => {
		expect(ratioInterval([30, 30, 30], [10, 10], 95)).toEqual([3, 3]);
	});

	it('is NaN, not a throw, when a side has no samples', () => {
		expect(ratioInterval([], [1, 2], 50)).toEqual([NaN, NaN]);
		expect(ratioInterval([1, 2], [], 50)).toEqual([NaN, NaN]);
	});
});

describe('spread', () => {
	it('gives p50, p95, mean and minimum', () => {
		expect(spread([4, 1, 3, 2])).toEqual({ p50: 2.5, p95: percentile([1, 2, 3, 4], 95), mean: 2.5, min: 1 });
	});

	it('has no mean for no values (NaN, not 0)', () => {
		expect(spread([]).mean).toBeNaN();
		expect(spread([]).p50).toBeNaN();
	});
});
