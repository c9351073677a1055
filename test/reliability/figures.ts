// One row of the reliability table per scenario. Each scenario writes its row to
// .bench/reliability-rows/ before its assertions run (so a failing scenario still shows its
// figures); table-reporter.js prints them all as one table at the end of the run and writes
// .bench/reliability-latest.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from './support';

export interface Figures {
	scenario: string;
	/** Requests sent, retries and re-sends included. */
	requests: number;
	/** A number, or a range in words where the scenario cannot know it in advance (hung-up turns). */
	expected: number | string;
	found: number;
	/** Deliveries that should have run (or were acknowledged) and have no execution; null where nothing should run. */
	lost: number | null;
	/** Executions beyond one per delivery, plus executions of unknown deliveries; null where nothing should run. */
	duplicated: number | null;
	/** 4xx answers (and parser-level refusals of malformed HTTP). */
	rejected: number;
	/** 2xx answers to requests that must be refused; null where the scenario sends none. */
	forgedAccepted: number | null;
	/** 5xx answers. */
	serverErrors: number;
	seconds: number;
	/** What else the scenario observed (statuses, memory, what n8n did). */
	notes: string;
}

export function recordFigures(figures: Figures): void {
	const test = expect.getState().currentTestName ?? figures.scenario;
	const dir = join(REPO_ROOT, '.bench', 'reliability-rows');
	mkdirSync(dir, { recursive: true });
	const recordedAt = Date.now();
	const file = join(dir, `${recordedAt}-${figures.scenario.replace(/\W+/g, '-')}.json`);
	writeFileSync(file, JSON.stringify({ ...figures, test, recordedAt }, null, 2));
	console.log(`[reliability] ${figures.scenario}: ${JSON.stringify(figures)}`);
}

/** Counts answers by class. */
export function tallyStatuses(statuses: number[]) {
	return {
		ok: statuses.filter((status) => status >= 200 && status < 300).length,
		rejected: statuses.filter((status) => status >= 400 && status < 500).length,
		serverErrors: statuses.filter((status) => status >= 500).length,
		noAnswer: statuses.filter((status) => status === 0).length,
	};
}
