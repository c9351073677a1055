import type { IDataObject } from 'n8n-workflow';

import {
	claimDelivery,
	DEDUPLICATION_LIMIT,
	DEDUPLICATION_MAX_AGE_MS,
	deliveryKey,
	deliveryRecord,
	PENDING_MAX_AGE_MS,
	recordedDeliveries,
	releaseDelivery,
	rememberDeliveries,
	resetDeduplication,
	RUN_CLAIM_MAX_AGE_MS,
} from '../../../../nodes/VoiceAgentTrigger/deduplication';

/** What the trigger does: claim, and once the execution exists, remember in static data. */
function claim(scope: string, staticData: IDataObject, id: string, nowMs?: number): boolean {
	const won = claimDelivery(scope, staticData, id, nowMs) === 'new';
	if (won) rememberDeliveries(scope, staticData, id, nowMs);
	return won;
}

/** The record in static data as { key: time }: it keeps each id's key (deliveryKey), not the id. */
const recorded = (staticData: IDataObject): Record<string, number> => Object.fromEntries(recordedDeliveries(staticData));
/** { id: time } as the record keys it. */
const byKey = (entries: Record<string, number>) => Object.fromEntries(Object.entries(entries).map(([id, at]) => [deliveryKey(id), at]));
/** Static data's record holding these ids, oldest first, as a process stored it. */
const recordOf = (entries: Record<string, number>) =>
	deliveryRecord(Object.entries(byKey(entries)).sort(([, a], [, b]) => a - b));
const keysOf = (ids: string[]) => ids.map(deliveryKey);

const T0 = Date.parse('2025-06-12T14:00:00.000Z');
let scopeCounter = 0;
/** A fresh trigger scope per test, so tests never see each other's ids. */
const newScope = () => `workflow-${++scopeCounter}:node-1`;

beforeEach(() => resetDeduplication());

describe('claimDelivery', () => {
	test('the first claim of an id wins, the second (a retry) loses', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claim(scope, staticData, 'msg_1', T0)).toBe(true);
		expect(claim(scope, staticData, 'msg_1', T0 + 1000)).toBe(false);
	});

	test('different ids are independent', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claim(scope, staticData, 'msg_1', T0)).toBe(true);
		expect(claim(scope, staticData, 'msg_2', T0)).toBe(true);
		expect(claim(scope, staticData, 'msg_1', T0)).toBe(false);
		expect(claim(scope, staticData, 'msg_2', T0)).toBe(false);
	});

	test('the claim is recorded in static data with the time first seen', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		claim(scope, staticData, 'msg_1', T0);
		expect(recorded(staticData)).toEqual(byKey({ msg_1: T0 }));
	});

	test('a losing claim does not refresh the first-seen time', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		claim(scope, staticData, 'msg_1', T0);
		claim(scope, staticData, 'msg_1', T0 + 5000);
		expect(recorded(staticData)[deliveryKey('msg_1')]).toBe(T0);
	});

	test('concurrent copies: two executions with their own (empty) static data, same scope → only one wins', () => {
		const scope = newScope();
		const first: IDataObject = {};
		const second: IDataObject = {};
		expect(claim(scope, first, 'msg_concurrent', T0)).toBe(true);
		expect(claim(scope, second, 'msg_concurrent', T0)).toBe(false);
	});

	test('concurrent executions each carry every id the process knew, whichever saves last', () => {
		const scope = newScope();
		const first: IDataObject = {};
		const second: IDataObject = {};
		claim(scope, first, 'msg_a', T0);
		claim(scope, second, 'msg_b', T0 + 1);
		expect(Object.keys(recorded(second)).sort()).toEqual(keysOf(['msg_a', 'msg_b']).sort());
	});

	test('after a restart, an id persisted in static data is still recognised', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claim(scope, staticData, 'msg_persisted', T0)).toBe(true);
		const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject; // what n8n stores
		resetDeduplication(); // the process restarts
		expect(claim(scope, saved, 'msg_persisted', T0 + 60_000)).toBe(false);
		expect(claim(scope, saved, 'msg_new', T0 + 60_000)).toBe(true);
	});

	test('after a restart with empty static data the id is new again (nothing was saved)', () => {
		const scope = newScope();
		expect(claim(scope, {}, 'msg_x', T0)).toBe(true);
		resetDeduplication();
		expect(claim(scope, {}, 'msg_x', T0)).toBe(true);
	});

	test('static data written by another process is honoured in this one', () => {
		const scope = newScope();
		const staticData: IDataObject = { deliveries: recordOf({ msg_elsewhere: T0 - 1000 }) };
		expect(claim(scope, staticData, 'msg_elsewhere', T0)).toBe(false);
	});

	// The process record is built from static data once per scope; an id another process saved
	// later is found by reading the record string in place, at its 20-character stride.
	test('an id another process saved after this one built its record is a duplicate; the record is read entry by entry', () => {
		const scope = newScope();
		expect(claim(scope, {}, 'msg_here', T0)).toBe(true); // this process's record now exists
		expect(claimDelivery(scope, { deliveries: recordOf({ msg_there: T0 }) }, 'msg_there', T0 + 2)).toBe('duplicate');
		expect(claimDelivery(scope, { deliveries: '-'.repeat(20) + recordOf({ msg_after_garbage: T0 }) }, 'msg_after_garbage', T0 + 2)).toBe('duplicate');
		// Off the stride, or a time in upper case, is not an entry.
		expect(claimDelivery(scope, { deliveries: '~'.repeat(10) + recordOf({ msg_shifted: T0 }) + '~'.repeat(10) }, 'msg_shifted', T0 + 2)).toBe('new');
		const upperCase = deliveryKey('msg_upper') + T0.toString(36).padStart(8, '0').toUpperCase();
		expect(claimDelivery(scope, { deliveries: upperCase }, 'msg_upper', T0 + 2)).toBe('new');
	});

	test('a fresh process reads the whole record, entries out of order included, and skips what does not parse', () => {
		const scope = newScope();
		const record = recordOf({ msg_new: T0 + 10 }) + '#'.repeat(20) + recordOf({ msg_old: T0 });
		expect(recordedDeliveries({ deliveries: record })).toEqual([
			[deliveryKey('msg_old'), T0],
			[deliveryKey('msg_new'), T0 + 10],
		]);
		expect(claimDelivery(scope, { deliveries: record }, 'msg_old', T0 + 20)).toBe('duplicate');
	});

	test('scopes are independent: the same id in two triggers wins in both', () => {
		const a = newScope();
		const b = newScope();
		expect(claim(a, {}, 'msg_shared', T0)).toBe(true);
		expect(claim(b, {}, 'msg_shared', T0)).toBe(true);
		expect(claim(a, {}, 'msg_shared', T0)).toBe(false);
		expect(claim(b, {}, 'msg_shared', T0)).toBe(false);
	});

	// Static data is pre-filled to the limit, so the test stays fast.
	const fullRecord = (count: number) => {
		const deliveries: Record<string, number> = {};
		for (let i = 0; i < count; i++) deliveries[`msg_${i}`] = T0 + i;
		return recordOf(deliveries);
	};

	test(`bounded: at most DEDUPLICATION_LIMIT (${DEDUPLICATION_LIMIT}) ids, the newest kept`, () => {
		const scope = newScope();
		const staticData: IDataObject = { deliveries: fullRecord(DEDUPLICATION_LIMIT) };
		const total = DEDUPLICATION_LIMIT + 5;
		for (let i = DEDUPLICATION_LIMIT; i < total; i++) {
			expect(claim(scope, staticData, `msg_${i}`, T0 + i)).toBe(true);
		}
		const kept = Object.keys(recorded(staticData));
		expect(kept).toHaveLength(DEDUPLICATION_LIMIT);
		// One string of 20-character entries: 20 KB at the limit, what n8n loads with every request.
		expect(staticData.deliveries).toHaveLength(DEDUPLICATION_LIMIT * 20);
		expect(kept).not.toContain(deliveryKey('msg_0'));
		expect(kept).not.toContain(deliveryKey('msg_4'));
		expect(kept).toContain(deliveryKey('msg_5'));
		expect(kept).toContain(deliveryKey(`msg_${total - 1}`));
		// The newest are still refused; the oldest, forgotten, win again.
		expect(claim(scope, staticData, `msg_${total - 1}`, T0 + total)).toBe(false);
		expect(claim(scope, staticData, 'msg_5', T0 + total)).toBe(false);
		expect(claim(scope, staticData, 'msg_0', T0 + total)).toBe(true);
	});

	test('the process record is bounded the same way (seen through a fresh, empty static data)', () => {
		const scope = newScope();
		const total = DEDUPLICATION_LIMIT + 3;
		claim(scope, { deliveries: fullRecord(DEDUPLICATION_LIMIT) }, `msg_${DEDUPLICATION_LIMIT}`, T0 + DEDUPLICATION_LIMIT);
		claim(scope, {}, `msg_${DEDUPLICATION_LIMIT + 1}`, T0 + DEDUPLICATION_LIMIT + 1);
		claim(scope, {}, `msg_${DEDUPLICATION_LIMIT + 2}`, T0 + DEDUPLICATION_LIMIT + 2);
		const empty = () => ({}) as IDataObject;
		expect(claim(scope, empty(), `msg_${total - 1}`, T0 + total)).toBe(false);
		expect(claim(scope, empty(), 'msg_3', T0 + total)).toBe(false);
		expect(claim(scope, empty(), 'msg_1', T0 + total)).toBe(true);
	});

	test('bounded static data also bounds what a fresh process loads', () => {
		const scope = newScope();
		const deliveries: Record<string, number> = {};
		for (let i = 0; i < DEDUPLICATION_LIMIT * 2; i++) deliveries[`old_${i}`] = T0 + i;
		const staticData: IDataObject = { deliveries: recordOf(deliveries) };
		expect(claim(scope, staticData, 'msg_new', T0 + DEDUPLICATION_LIMIT * 2)).toBe(true);
		expect(Object.keys(recorded(staticData))).toHaveLength(DEDUPLICATION_LIMIT);
		expect(recorded(staticData)).toHaveProperty([deliveryKey('msg_new')]);
		expect(recorded(staticData)).not.toHaveProperty([deliveryKey('old_0')]);
	});

	test(`entries older than DEDUPLICATION_MAX_AGE_MS (${DEDUPLICATION_MAX_AGE_MS} ms) are forgotten`, () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claim(scope, staticData, 'msg_old', T0)).toBe(true);
		expect(claim(scope, staticData, 'msg_old', T0 + DEDUPLICATION_MAX_AGE_MS - 1)).toBe(false);
		expect(claim(scope, staticData, 'msg_old', T0 + DEDUPLICATION_MAX_AGE_MS)).toBe(true);
		// …and re-recorded at the new time.
		expect(claim(scope, staticData, 'msg_old', T0 + DEDUPLICATION_MAX_AGE_MS + 1)).toBe(false);
		expect(recorded(staticData)[deliveryKey('msg_old')]).toBe(T0 + DEDUPLICATION_MAX_AGE_MS);
	});

	test('expired entries are pruned from static data', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		claim(scope, staticData, 'msg_old', T0);
		claim(scope, staticData, 'msg_new', T0 + DEDUPLICATION_MAX_AGE_MS + 10);
		expect(recorded(staticData)).toEqual(byKey({ msg_new: T0 + DEDUPLICATION_MAX_AGE_MS + 10 }));
	});

	test('an expired id persisted by an earlier process is new again after a restart', () => {
		const scope = newScope();
		const staticData: IDataObject = { deliveries: recordOf({ msg_old: T0 }) };
		expect(claim(scope, staticData, 'msg_old', T0 + DEDUPLICATION_MAX_AGE_MS + 1)).toBe(true);
	});

	test('unusable static data (wrong types, null) is ignored rather than trusted or thrown on', () => {
		const scope = newScope();
		const key = deliveryKey('msg_1');
		const unusable = [
			null,
			'garbage',
			42,
			['msg_1'],
			{ msg_1: T0 }, // the object record of earlier builds: not read
			`${key}-1234567`, // not base 36
			`${key.slice(0, 11)}!0000abcd`, // not base64url
			recordOf({ msg_1: T0 }).slice(0, -1), // cut short
		];
		for (const deliveries of unusable) {
			resetDeduplication();
			const staticData: IDataObject = { deliveries: deliveries as IDataObject };
			expect(claim(scope, staticData, 'msg_1', T0)).toBe(true);
			expect(recorded(staticData)).toEqual(byKey({ msg_1: T0 }));
		}
	});

	test('other keys in static data are left alone', () => {
		const scope = newScope();
		const staticData: IDataObject = { lastRun: 'yesterday' };
		claim(scope, staticData, 'msg_1', T0);
		expect(staticData.lastRun).toBe('yesterday');
	});

	test('ids that collide with Object.prototype names are ordinary ids', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		for (const id of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
			expect(claim(scope, staticData, id, T0)).toBe(true);
			expect(claim(scope, staticData, id, T0)).toBe(false);
		}
	});

	// Bug: `inProcess[id] = nowMs` with id "__proto__" hits the prototype setter of a plain object,
	// so the id is never recorded and every retry of that delivery runs the workflow again.
	test('the id "__proto__" is deduplicated like any other', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claim(scope, staticData, '__proto__', T0)).toBe(true);
		expect(claim(scope, staticData, '__proto__', T0 + 1)).toBe(false);
	});

	// Bug: static data is an object, and JavaScript lists integer-like keys first, in numeric
	// order. Read back after a restart, an old numeric id sat behind a recent one; pruning stops at
	// the first id young enough, so the old one stayed "duplicate" past 24 h.
	test('audit #11: numeric ids keep their age order through static data; an old one is new again after 24 h', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claim(scope, staticData, '90210', T0)).toBe(true); // seen first, the larger number
		expect(claim(scope, staticData, '4711', T0 + DEDUPLICATION_MAX_AGE_MS / 2)).toBe(true);
		const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject; // what n8n stores
		expect(recordedDeliveries(saved).map(([key]) => key)).toEqual(keysOf(['90210', '4711'])); // oldest first
		resetDeduplication(); // the process restarts
		const later = T0 + DEDUPLICATION_MAX_AGE_MS + 1;
		expect(claim(scope, saved, '90210', later)).toBe(true);
		expect(claim(scope, saved, '4711', later)).toBe(false);
		expect(claim(scope, saved, '90210', later + 1)).toBe(false);
	});

	test('audit #11: at the limit after a restart, the oldest numeric id is forgotten, not the smallest number', () => {
		const scope = newScope();
		const deliveries: Record<string, number> = {};
		// Newest first by number: id 0 is the youngest, id LIMIT-1 the oldest.
		for (let i = 0; i < DEDUPLICATION_LIMIT; i++) deliveries[String(i)] = T0 + (DEDUPLICATION_LIMIT - i);
		const staticData: IDataObject = { deliveries: recordOf(deliveries) };
		expect(claim(scope, staticData, 'msg_newest', T0 + DEDUPLICATION_LIMIT + 1)).toBe(true);
		// Seen through empty static data (a concurrent copy), only the process record answers.
		const empty = () => ({}) as IDataObject;
		expect(claim(scope, empty(), '0', T0 + DEDUPLICATION_LIMIT + 2)).toBe(false);
		expect(claim(scope, empty(), String(DEDUPLICATION_LIMIT - 1), T0 + DEDUPLICATION_LIMIT + 3)).toBe(true);
	});

	test('more than 256 triggers in one process: an evicted scope still dedupes through its static data', () => {
		const first = newScope();
		const staticData: IDataObject = {};
		expect(claim(first, staticData, 'msg_1', T0)).toBe(true);
		for (let i = 0; i < 300; i++) claim(newScope(), {}, 'msg_other', T0);
		expect(claim(first, staticData, 'msg_1', T0 + 1)).toBe(false);
	});

	test('resetDeduplication forgets the process record only', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		claim(scope, staticData, 'msg_1', T0);
		resetDeduplication();
		expect(claim(scope, {}, 'msg_1', T0)).toBe(true);
	});

	test('defaults to the real clock', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		const before = Date.now();
		expect(claim(scope, staticData, 'msg_clock', undefined)).toBe(true);
		const seenAt = recorded(staticData)[deliveryKey('msg_clock')];
		expect(seenAt).toBeGreaterThanOrEqual(before);
		expect(seenAt).toBeLessThanOrEqual(Date.now());
	});
});

describe('claims wait for the execution', () => {
	test('a copy arriving while the first is being accepted is in progress, not a duplicate', () => {
		const scope = newScope();
		expect(claimDelivery(scope, {}, 'msg_p', T0)).toBe('new');
		expect(claimDelivery(scope, {}, 'msg_p', T0 + 10)).toBe('in_progress');
		rememberDeliveries(scope, {}, 'msg_p', T0 + 20);
		expect(claimDelivery(scope, {}, 'msg_p', T0 + 30)).toBe('duplicate');
	});

	test('a claim n8n never confirmed (the execution was not created) is free again after PENDING_MAX_AGE_MS', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claimDelivery(scope, staticData, 'msg_lost', T0)).toBe('new');
		expect(claimDelivery(scope, staticData, 'msg_lost', T0 + PENDING_MAX_AGE_MS - 1)).toBe('in_progress');
		expect(claimDelivery(scope, staticData, 'msg_lost', T0 + PENDING_MAX_AGE_MS)).toBe('new');
		expect(staticData.deliveries).toBeUndefined(); // nothing unconfirmed is persisted
	});

	test('only confirmed ids reach static data', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		claimDelivery(scope, staticData, 'msg_a', T0);
		claimDelivery(scope, staticData, 'msg_b', T0);
		rememberDeliveries(scope, staticData, 'msg_b', T0 + 5);
		expect(Object.keys(recorded(staticData))).toEqual(keysOf(['msg_b']));
	});
});

describe('acknowledging on success: claims held for the run, released on failure', () => {
	test('a claim held for the run keeps copies out past PENDING_MAX_AGE_MS, until RUN_CLAIM_MAX_AGE_MS', () => {
		const scope = newScope();
		expect(claimDelivery(scope, {}, 'msg_long', T0, RUN_CLAIM_MAX_AGE_MS)).toBe('new');
		expect(claimDelivery(scope, {}, 'msg_long', T0 + PENDING_MAX_AGE_MS + 1_000)).toBe('in_progress');
		expect(claimDelivery(scope, {}, 'msg_long', T0 + RUN_CLAIM_MAX_AGE_MS - 1)).toBe('in_progress');
		expect(claimDelivery(scope, {}, 'msg_long', T0 + RUN_CLAIM_MAX_AGE_MS)).toBe('new');
	});

	test("a copy's own hold does not shorten or lengthen the first claim's", () => {
		const scope = newScope();
		expect(claimDelivery(scope, {}, 'msg_h', T0, PENDING_MAX_AGE_MS)).toBe('new');
		expect(claimDelivery(scope, {}, 'msg_h', T0 + 10, RUN_CLAIM_MAX_AGE_MS)).toBe('in_progress');
		expect(claimDelivery(scope, {}, 'msg_h', T0 + PENDING_MAX_AGE_MS, RUN_CLAIM_MAX_AGE_MS)).toBe('new');
	});

	test('a released claim (the workflow failed) is new again at once, and nothing reaches static data', () => {
		const scope = newScope();
		const staticData: IDataObject = {};
		expect(claimDelivery(scope, staticData, 'msg_f', T0, RUN_CLAIM_MAX_AGE_MS)).toBe('new');
		releaseDelivery(scope, 'msg_f');
		expect(staticData.deliveries).toBeUndefined();
		expect(claimDelivery(scope, staticData, 'msg_f', T0 + 5, RUN_CLAIM_MAX_AGE_MS)).toBe('new');
		rememberDeliveries(scope, staticData, 'msg_f', T0 + 10); // the retry succeeded
		expect(claimDelivery(scope, staticData, 'msg_f', T0 + 20)).toBe('duplicate');
		expect(Object.keys(recorded(staticData))).toEqual(keysOf(['msg_f']));
	});

	test('releasing never forgets a confirmed id, nor another claim, nor another trigger', () => {
		const scope = newScope();
		const other = newScope();
		expect(claim(scope, {}, 'msg_ok', T0)).toBe(true);
		releaseDelivery(scope, 'msg_ok');
		expect(claimDelivery(scope, {}, 'msg_ok', T0 + 1)).toBe('duplicate');
		claimDelivery(scope, {}, 'msg_x', T0, RUN_CLAIM_MAX_AGE_MS);
		claimDelivery(other, {}, 'msg_y', T0, RUN_CLAIM_MAX_AGE_MS);
		releaseDelivery(scope, 'msg_y');
		releaseDelivery(newScope(), 'msg_x');
		releaseDelivery(scope, 'never-claimed');
		expect(claimDelivery(scope, {}, 'msg_x', T0 + 1)).toBe('in_progress');
		expect(claimDelivery(other, {}, 'msg_y', T0 + 1)).toBe('in_progress');
	});
});
