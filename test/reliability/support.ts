// Shared tools of the reliability scenarios: a seeded random source, a bounded pool, an HTTP
// sender that never throws, an at-least-once sender that retries like Svix, counting executions
// per delivery id through n8n's REST API, and the main process's memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ExecutionDetail, ExecutionSummary, N8n } from '../e2e/harness';
import { signStandardWebhook } from '../support/sign';

export const REPO_ROOT = join(__dirname, '..', '..');

// ---------------------------------------------------------------------------------------------
// Randomness: seeded, so a failing run can be repeated exactly (RELIABILITY_SEED).

export interface Random {
	/** Uniform in [0, 1). */
	next(): number;
	/** Integer in [min, max]. */
	int(min: number, max: number): number;
	pick<T>(items: readonly T[]): T;
	chance(probability: number): boolean;
	bytes(count: number): Buffer;
}

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): Random {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
	return {
		next,
		int,
		pick: (items) => items[int(0, items.length - 1)],
		chance: (probability) => next() < probability,
		bytes(count) {
			const buffer = Buffer.alloc(count);
			for (let i = 0; i < count; i++) buffer[i] = int(0, 255);
			return buffer;
		},
	};
}

export const SEED = Number(process.env.RELIABILITY_SEED ?? 20261122);

// ---------------------------------------------------------------------------------------------
// Concurrency

/** Runs `work` over `items` with at most `concurrency` at once; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let nextIndex = 0;
	const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
		while (nextIndex < items.length) {
			const index = nextIndex++;
			results[index] = await work(items[index], index);
		}
	});
	await Promise.all(lanes);
	return results;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Answer {
	/** HTTP status; 0 when there was no answer (connection refused or reset, timeout). */
	status: number;
	text: string;
	json?: Record<string, unknown>;
	/** Why there was no answer. */
	error?: string;
	ms: number;
}

/** POSTs and reads the whole answer; never throws (a failure is status 0 with the reason). */
export async function post(url: string, body: string | Buffer, headers: Record<string, string>, timeoutMs = 30_000): Promise<Answer> {
	const started = performance.now();
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'accept-encoding': 'identity', ...headers },
			body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await response.text();
		let json: Record<string, unknown> | undefined;
		try {
			json = JSON.parse(text) as Record<string, unknown>;
		} catch {
			json = undefined;
		}
		return { status: response.status, text, json, ms: performance.now() - started };
	} catch (error) {
		const cause = (error as { cause?: { code?: string; message?: string } }).cause;
		const reason = cause?.code ?? cause?.message ?? (error as Error).name ?? String(error);
		return { status: 0, text: '', error: reason, ms: performance.now() - started };
	}
}

// ---------------------------------------------------------------------------------------------
// Agntix deliveries

const ENDED = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/agntix/session.ended.json'), 'utf8')) as Record<string, unknown>;

export interface Delivery {
	/** The svix-id: stable across retries and re-sends. */
	id: string;
	body: string;
}

/** A distinct Agntix session.ended delivery: its own session id and CRM correlation id. */
export function agntixDelivery(run: string, index: number): Delivery {
	const session = `${run}-${String(index).padStart(5, '0')}`;
	const metadata = ENDED.metadata as Record<string, unknown>;
	const body = JSON.stringify({
		...ENDED,
		id: `00000000-0000-4000-8000-${Buffer.from(session).toString('hex').slice(-12).padStart(12, '0')}`,
		metadata: { ...metadata, sessionVariables: { ...(metadata.sessionVariables as object), crmContactId: `C-${session}` } },
	});
	return { id: `msg_${session}`, body };
}

/** Svix headers signed now (a re-send gets a fresh signature and timestamp, as Svix does). */
export function svixHeaders(delivery: Delivery, secret: string): Record<string, string> {
	return { 'content-type': 'application/json', ...signStandardWebhook(delivery.body, secret, { id: delivery.id }) };
}

export interface SenderOutcome {
	delivery: Delivery;
	/** Every answer, in order (status 0 = no answer). */
	attempts: Answer[];
	/** The 2xx answer that ended the retries, if any. */
	acknowledged?: Answer;
}

export interface AtLeastOnceOptions {
	/** Stop retrying after this long (Svix: 24 h; here a few minutes). */
	giveUpAfterMs: number;
	/** The first retry's wait; doubled each time up to maxBackoffMs, with jitter. */
	firstBackoffMs?: number;
	maxBackoffMs?: number;
	/** Svix gives up on an attempt after 15 s. */
	attemptTimeoutMs?: number;
	random?: Random;
	/** Called after every attempt (e.g. to trigger a fault when enough are acknowledged). */
	onAttempt?: (answer: Answer) => void;
}

/**
 * An at-least-once sender, like Svix: retries any non-2xx answer and any failure to get an answer
 * (refused, reset, timeout) with exponential backoff and jitter, re-signing each attempt, until
 * a 2xx arrives or it gives up.
 */
export async function deliverAtLeastOnce(url: string, delivery: Delivery, secret: string, options: AtLeastOnceOptions): Promise<SenderOutcome> {
	const { giveUpAfterMs, firstBackoffMs = 200, maxBackoffMs = 3_000, attemptTimeoutMs = 15_000, random } = options;
	const deadline = Date.now() + giveUpAfterMs;
	const attempts: Answer[] = [];
	let backoff = firstBackoffMs;
	for (;;) {
		const answer = await post(url, delivery.body, svixHeaders(delivery, secret), attemptTimeoutMs);
		attempts.push(answer);
		options.onAttempt?.(answer);
		if (answer.status >= 200 && answer.status < 300) return { delivery, attempts, acknowledged: answer };
		if (Date.now() + backoff > deadline) return { delivery, attempts };
		const jitter = random ? 0.5 + random.next() : 1;
		await sleep(Math.round(backoff * jitter));
		backoff = Math.min(backoff * 2, maxBackoffMs);
	}
}

// ---------------------------------------------------------------------------------------------
// Executions per delivery

/**
 * The trigger's output item of an execution: from its run data, or, for an execution that never
 * ran (queued) or crashed, from the start node's data on the stack. (n8n's crash recovery writes
 * a placeholder `{isArtificialRecoveredEventItem: true}` as the trigger's run output.)
 */
export function triggerItem(detail: ExecutionDetail, nodeName = 'Voice Agent Trigger'): Record<string, unknown> | undefined {
	const run = detail.data?.resultData?.runData?.[nodeName]?.[0];
	const fromRun = run?.data?.main?.[0]?.[0]?.json;
	if (fromRun && !fromRun.isArtificialRecoveredEventItem) return fromRun as Record<string, unknown>;
	const stack = detail.data?.executionData?.nodeExecutionStack ?? [];
	const start = stack.find((entry) => entry.node.name === nodeName) ?? stack[0];
	return start?.data?.main?.[0]?.[0]?.json as Record<string, unknown> | undefined;
}

export interface ExecutionCensus {
	all: ExecutionSummary[];
	/** Executions by the deliveryId of their trigger item. */
	byDelivery: Map<string, ExecutionSummary[]>;
	/** Executions whose trigger item has no deliveryId (or could not be read). */
	withoutDelivery: ExecutionSummary[];
	/** How many executions have each status. */
	statuses: Record<string, number>;
}

/**
 * Every execution of a workflow (all pages) and, from each one's data, the delivery it ran: the
 * trigger item's `key` (deliveryId for Agntix, turnId for Layercode turns).
 */
export async function executionCensus(n8n: N8n, workflowId: string, key = 'deliveryId', concurrency = 4): Promise<ExecutionCensus> {
	const all = await n8n.executions(workflowId);
	const byDelivery = new Map<string, ExecutionSummary[]>();
	const withoutDelivery: ExecutionSummary[] = [];
	const statuses: Record<string, number> = {};
	await pool(all, concurrency, async (execution) => {
		statuses[execution.status] = (statuses[execution.status] ?? 0) + 1;
		let deliveryId: unknown;
		try {
			deliveryId = triggerItem(await n8n.executionData(execution.id))?.[key];
		} catch {
			deliveryId = undefined;
		}
		if (typeof deliveryId !== 'string') {
			withoutDelivery.push(execution);
			return;
		}
		byDelivery.set(deliveryId, [...(byDelivery.get(deliveryId) ?? []), execution]);
	});
	return { all, byDelivery, withoutDelivery, statuses };
}

/** Lost: expected ids without an execution. Duplicated: executions beyond one per id, plus any of an unexpected id. */
export function compare(expectedIds: Iterable<string>, census: ExecutionCensus): { lost: string[]; duplicated: number; unexpected: number } {
	const expected = new Set(expectedIds);
	const lost = [...expected].filter((id) => !census.byDelivery.has(id));
	let duplicated = 0;
	let unexpected = census.withoutDelivery.length;
	for (const [id, executions] of census.byDelivery) {
		if (expected.has(id)) duplicated += executions.length - 1;
		else unexpected += executions.length;
	}
	return { lost, duplicated: duplicated + unexpected, unexpected };
}

/** Polls until `workflowId` has at least `count` executions and none is new/running/waiting, or the time is up. */
export async function settleExecutions(n8n: N8n, workflowId: string, count: number, timeoutMs: number): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const all = await n8n.executions(workflowId);
		const busy = all.filter((execution) => ['new', 'running', 'waiting', 'unknown'].includes(execution.status));
		if ((all.length >= count && busy.length === 0) || Date.now() > deadline) return all;
		await sleep(500);
	}
}

/**
 * Polls until `workflowId` has at least `minimum` executions, none is new/running/waiting, and
 * their number has not changed for `quietMs`, or the time is up. For runs where the exact number
 * cannot be known (a caller who hangs up before n8n has read the request leaves no execution),
 * which would otherwise keep settleExecutions() waiting until its timeout.
 */
export async function settleQuietly(n8n: N8n, workflowId: string, minimum: number, timeoutMs: number, quietMs = 5_000): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	let lastCount = -1;
	let unchangedSince = Date.now();
	for (;;) {
		const all = await n8n.executions(workflowId);
		const busy = all.filter((execution) => ['new', 'running', 'waiting', 'unknown'].includes(execution.status));
		if (all.length !== lastCount) {
			lastCount = all.length;
			unchangedSince = Date.now();
		}
		const quiet = Date.now() - unchangedSince >= quietMs;
		if ((all.length >= minimum && busy.length === 0 && quiet) || Date.now() > deadline) return all;
		await sleep(500);
	}
}

/** How often each value occurs. */
export function countBy(values: Array<string | number>): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
	return counts;
}

export const countStatuses = (executions: ExecutionSummary[]) => countBy(executions.map((execution) => execution.status));

export const describeCounts = (counts: Record<string, number>) =>
	Object.entries(counts)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([key, value]) => `${key} ${value}`)
		.join(', ') || 'none';

// ---------------------------------------------------------------------------------------------
// Memory

/** VmRSS of a process in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
	if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
	return Number(match[1]) / 1024;
}

export const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const seconds = (ms: number) => Math.round(ms / 100) / 10;
