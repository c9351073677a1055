import { describeEnv, optionOrUsage, parseCount, parseEnvPairs, parseTopology } from '../../../../scripts/bench/options';

describe('parseCount', () => {
	it('reads an integer at or above the minimum', () => {
		expect(parseCount('rounds', '60', 1)).toBe(60);
		expect(parseCount('warmup', '0', 0)).toBe(0);
	});

	it.each([
		['0', 1],
		['-3', 0],
		['2.5', 1],
		['ten', 1],
		['', 0],
		[' ', 0],
	])('rejects "%s" (minimum %d), naming the option', (raw, min) => {
		expect(() => parseCount('concurrency', raw, min)).toThrow(`--concurrency must be an integer ≥ ${min} (got "${raw}")`);
	});
});

describe('parseEnvPairs', () => {
	it('splits at the first "=" and lets a later pair win', () => {
		expect(parseEnvPairs(['A=1', 'B=x=y', 'A=2', 'EMPTY='])).toEqual({ A: '2', B: 'x=y', EMPTY: '' });
		expect(parseEnvPairs([])).toEqual({});
	});

	it.each(['NOEQUALS', '=value'])('rejects "%s"', (pair) => {
		expect(() => parseEnvPairs([pair])).toThrow(`--env wants NAME=VALUE (got "${pair}")`);
	});
});

describe('describeEnv', () => {
	it('lists the pairs, or says defaults', () => {
		expect(describeEnv({ A: '1', B: '2' })).toBe('A=1 B=2');
		expect(describeEnv({})).toBe('defaults');
	});
});

describe('optionOrUsage', () => {
	const usage = (problem: string): never => {
		throw new Error(`usage: ${problem}`);
	};

	it('returns the parsed value', () => {
		expect(optionOrUsage(() => parseCount('rounds', '60', 1), usage)).toBe(60);
	});

	it("hands a parse error's reason to the script's usage", () => {
		expect(() => optionOrUsage(() => parseCount('rounds', 'x', 1), usage)).toThrow('usage: --rounds must be an integer ≥ 1 (got "x")');
	});
});

describe('parseTopology', () => {
	it('reads single, scaled and both (single first, so the scaled figures print beside it)', () => {
		expect(parseTopology('single')).toEqual(['single']);
		expect(parseTopology('scaled')).toEqual(['scaled']);
		expect(parseTopology(' both ')).toEqual(['single', 'scaled']);
	});

	it.each(['', 'queue', 'Scaled', 'single,scaled'])('rejects "%s", naming the choices', (raw) => {
		expect(() => parseTopology(raw)).toThrow(`--topology must be single, scaled or both (got "${raw}")`);
	});
});
