import { remember } from '../../../../nodes/shared/boundedMap';

describe('remember: the one bounded map', () => {
	test('keeps at most `limit` entries, evicting the oldest inserted first; returns the value', () => {
		const map = new Map<string, number>();
		for (let i = 1; i <= 5; i++) expect(remember(map, `k${i}`, i, 3)).toBe(i);
		expect([...map.keys()]).toEqual(['k3', 'k4', 'k5']);
	});

	test('replacing a key that is there evicts nothing', () => {
		const map = new Map([
			['a', 1],
			['b', 2],
		]);
		remember(map, 'a', 10, 2);
		expect([...map.entries()]).toEqual([
			['a', 10],
			['b', 2],
		]);
	});

	test('keys Object.prototype has are ordinary keys', () => {
		const map = new Map<string, number>();
		remember(map, '__proto__', 1, 2);
		remember(map, 'constructor', 2, 2);
		expect(map.get('__proto__')).toBe(1);
		expect(map.size).toBe(2);
	});
});
