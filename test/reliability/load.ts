// The load scenario, shared by regular and queue mode: genuine Agntix session.ended deliveries at
// a fixed concurrency, a tenth of them re-sent copies of earlier ones (same svix-id, fresh
// signature, as Svix re-sends), half of those close enough to race their original. Every send
// is at-least-once, like Svix: a non-2xx answer is retried with backoff.
import type { N8n } from '../e2e/harness';
import { recordFigures, tallyStatuses } from './figures';
import {
	agntixDelivery,
	compare,
	deliverAtLeastOnce,
	describeCounts,
	executionCensus,
	pool,
	seconds,
	seededRandom,
	settleExecutions,
	type Answer,
	type Delivery,
} from './support';

export interface LoadOptions {
	scenario: string;
	workflowId: string;
	url: string;
	secret: string;
	/** Requests in all, copies included. */
	total: number;
	copyShare: number;
	concurrency: number;
	seed: number;
	/** How long executions may take to appear and finish after the last answer. */
	settleMs: number;
}

export interface LoadOutcome {
	unique: number;
	copies: number;
	/** Every attempt's answer, retries included. */
	answers: Answer[];
	/** The 2xx that ended each scheduled send (undefined if the sender gave up). */
	finals: Array<Answer | undefined>;
	gaveUp: number;
	/** 409 answers to copies that raced their original. */
	inProgress: number;
	lost: string[];
	duplicated: number;
	found: number;
	statuses: Record<string, number>;
}

/** The send order: every unique delivery once, and copies inserted after their original. */
export function loadSchedule(run: string, total: number, copyShare: number, seed: number): { schedule: Delivery[]; unique: Delivery[]; nearCopies: number } {
	const random = seededRandom(seed);
	const copies = Math.round(total * copyShare);
	const unique = Array.from({ length: total - copies }, (_, index) => agntixDelivery(run, index));
	const schedule = [...unique];
	let nearCopies = 0;
	for (let i = 0; i < copies; i++) {
		const original = random.pick(unique);
		const at = schedule.indexOf(original);
		// Half of the copies land within 20 places of the original: in flight at the same time.
		const near = random.chance(0.5);
		if (near) nearCopies++;
		const position = Math.min(schedule.length, at + (near ? random.int(1, 20) : random.int(21, 400)));
		schedule.splice(position, 0, original);
	}
	return { schedule, unique, nearCopies };
}

export async function runLoad(n8n: N8n, options: LoadOptions): Promise<LoadOutcome> {
	const run = `${options.scenario.replace(/\W+/g, '').slice(0, 12)}-${process.pid}`;
	const { schedule, unique, nearCopies } = loadSchedule(run, options.total, options.copyShare, options.seed);
	const copies = schedule.length - unique.length;
	const random = seededRandom(options.seed + 99);
	const started = performance.now();
	// Svix is an at-least-once sender: any non-2xx (here: 409 for a copy that races its original) is retried.
	const outcomes = await pool(schedule, options.concurrency, (delivery) =>
		deliverAtLeastOnce(options.url, delivery, options.secret, { giveUpAfterMs: 120_000, firstBackoffMs: 500, maxBackoffMs: 5_000, random }),
	);
	const sentMs = performance.now() - started;
	await settleExecutions(n8n, options.workflowId, unique.length, options.settleMs);
	const elapsedMs = performance.now() - started;
	const census = await executionCensus(n8n, options.workflowId);
	const { lost, duplicated } = compare(unique.map((delivery) => delivery.id), census);
	const answers = outcomes.flatMap((outcome) => outcome.attempts);
	const finals = outcomes.map((outcome) => outcome.acknowledged);
	const tally = tallyStatuses(answers.map((answer) => answer.status));
	const accepted = finals.filter((answer) => answer?.json?.status === 'accepted').length;
	const duplicateAnswers = finals.filter((answer) => answer?.json?.status === 'duplicate').length;
	const inProgress = answers.filter((answer) => answer.status === 409 && answer.json?.status === 'in_progress').length;
	const gaveUp = outcomes.filter((outcome) => !outcome.acknowledged).length;
	const odd = [
		...new Set(
			answers
				.filter((answer) => !['accepted', 'duplicate', 'in_progress'].includes(String(answer.json?.status)))
				.map((answer) => `${answer.status} ${answer.error ?? answer.text.slice(0, 120)}`),
		),
	];
	const firstAttemptMs = outcomes.map((outcome) => outcome.attempts[0].ms).sort((a, b) => a - b);
	const p = (q: number) => Math.round(firstAttemptMs[Math.min(firstAttemptMs.length - 1, Math.floor(q * firstAttemptMs.length))]);
	recordFigures({
		scenario: options.scenario,
		requests: answers.length,
		expected: unique.length,
		found: census.all.length,
		lost: lost.length,
		duplicated,
		rejected: tally.rejected,
		forgedAccepted: null,
		serverErrors: tally.serverErrors,
		seconds: seconds(elapsedMs),
		notes:
			`${unique.length} unique deliveries + ${copies} re-sent copies (${nearCopies} of them within 20 places of the original), concurrency ${options.concurrency}, ` +
			`sender retries any non-2xx like Svix; acknowledged: ${accepted} "accepted", ${duplicateAnswers} "duplicate"` +
			(inProgress ? `, after ${inProgress} × 409 "in_progress" (a copy arriving while its original was being accepted, retried)` : '') +
			`; ${gaveUp} given up; ${tally.serverErrors} 5xx, ${tally.noAnswer} without an answer; ` +
			`sent in ${seconds(sentMs)} s (${Math.round(answers.length / (sentMs / 1000))} requests/s, answer p50 ${p(0.5)} ms / p95 ${p(0.95)} ms); ` +
			`execution statuses: ${describeCounts(census.statuses)}` +
			(odd.length ? `; other answers: ${odd.slice(0, 5).join(' | ')}` : ''),
	});
	return { unique: unique.length, copies, answers, finals, gaveUp, inProgress, lost, duplicated, found: census.all.length, statuses: census.statuses };
}

/** Every delivery ran once; every send was acknowledged, originals "accepted" and copies "duplicate"; no 5xx. */
export function expectExactlyOnce(outcome: LoadOutcome): void {
	expect(outcome.lost).toEqual([]);
	expect(outcome.duplicated).toBe(0);
	expect(outcome.found).toBe(outcome.unique);
	expect(outcome.gaveUp).toBe(0);
	expect(outcome.answers.filter((answer) => answer.status >= 500 || answer.status === 0)).toEqual([]);
	expect(outcome.finals.filter((answer) => answer?.json?.status === 'accepted')).toHaveLength(outcome.unique);
	expect(outcome.finals.filter((answer) => answer?.json?.status === 'duplicate')).toHaveLength(outcome.copies);
}
