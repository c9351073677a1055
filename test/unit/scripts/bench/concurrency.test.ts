import { runWithConcurrency } from '../../../../scripts/bench/concurrency';

const tick = () => new Promise<void>((done) => setImmediate(done));

describe('runWithConcurrency', () => {
	it('keeps exactly `inFlight` tasks running until the last ones, and returns results in index order', async () => {
		let running = 0;
		let most = 0;
		const started: number[] = [];
		const results = await runWithConcurrency(25, 10, async (index) => {
			started.push(index);
			running++;
			most = Math.max(most, running);
			for (let i = 0; i < (index * 7) % 5; i++) await tick(); // finish out of order
			running--;
			return index * 2;
		});
		expect(most).toBe(10);
		expect(started.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
		expect(results).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
	});

	it('starts no more tasks than there are', async () => {
		const task = jest.fn(async (index: number) => index);
		expect(await runWithConcurrency(3, 10, task)).toEqual([0, 1, 2]);
		expect(task).toHaveBeenCalledTimes(3);
		expect(await runWithConcurrency(0, 10, task)).toEqual([]);
		expect(task).toHaveBeenCalledTimes(3);
	});

	it('runs one at a time with inFlight 1', async () => {
		const order: string[] = [];
		await runWithConcurrency(3, 1, async (index) => {
			order.push(`start ${index}`);
			await tick();
			order.push(`end ${index}`);
		});
		expect(order).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
	});

	it.each([0, -1, 1.5, NaN])('rejects inFlight %p', async (inFlight) => {
		await expect(runWithConcurrency(3, inFlight, async () => 1)).rejects.toThrow('in flight must be an integer ≥ 1');
	});

	it('rejects when a task throws', async () => {
		await expect(
			runWithConcurrency(4, 2, async (index) => {
				if (index === 2) throw new Error('boom');
				return index;
			}),
		).rejects.toThrow('boom');
	});
});
