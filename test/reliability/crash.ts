// The worker-crash scenario, shared by queue mode (main + one worker) and the scaled topology
// (webhook processes + two workers): a worker is SIGKILLed and restarted while an at-least-once
// sender delivers, then what n8n did with the executions it was running, and n8n's Retry on
// every execution that did not succeed (the operator's remedy).
import type { ExecutionSummary, N8n } from '../e2e/harness';
import { chain, node, triggerNode } from '../e2e/workflows';
import { recordFigures, tallyStatuses } from './figures';
import {
	agntixDelivery,
	countBy,
	countStatuses,
	deliverAtLeastOnce,
	describeCounts,
	executionCensus,
	pool,
	seconds,
	seededRandom,
	settleExecutions,
	sleep,
	type SenderOutcome,
} from './support';

/** The workflow the crash scenario delivers to: two seconds in the worker per execution, so that the kill cuts some off mid-run. */
export const crashWorkflow = (id: string, path: string) =>
	chain(id, [
		triggerNode(path, { platform: 'agntix' }),
		node('Wait', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: 2, unit: 'seconds' }, 1.1),
		node('Done', 'n8n-nodes-base.noOp'),
	]);

export interface WorkerCrashOptions {
	scenario: string;
	workflowId: string;
	url: string;
	secret: string;
	deliveries: number;
	seed: number;
	/** How long the worker stays dead. */
	downMs: number;
	/** Which worker dies (the scaled topology has two). */
	workerIndex?: number;
}

export interface WorkerCrashOutcome {
	gaveUp: number;
	lost: string[];
	duplicated: number;
	serverErrors: number;
	/** Executions cut off by the kill that are still new or running after the settling. */
	cutOffUnfinished: string[];
}

export async function runWorkerCrash(n8n: N8n, options: WorkerCrashOptions): Promise<WorkerCrashOutcome> {
	const { workflowId, downMs, workerIndex = 0 } = options;
	const random = seededRandom(options.seed);
	const deliveries = Array.from({ length: options.deliveries }, (_, index) => agntixDelivery(`crash-${options.scenario.replace(/\W+/g, '').slice(0, 8)}-${process.pid}`, index));
	const killAfter = Math.round(deliveries.length * 0.3);
	let acknowledged = 0;
	let crash: Promise<void> | undefined;
	let runningAtKill: ExecutionSummary[] = [];
	let queuedAtKill = 0;
	let acknowledgedAtKill = 0;
	let workerBackAt = 0;
	const started = performance.now();
	const outcomes: SenderOutcome[] = await pool(deliveries, 10, (delivery) =>
		deliverAtLeastOnce(options.url, delivery, options.secret, {
			giveUpAfterMs: 300_000,
			random,
			onAttempt(answer) {
				if (answer.status >= 200 && answer.status < 300) acknowledged++;
				if (crash || acknowledged < killAfter) return;
				crash = (async () => {
					acknowledgedAtKill = acknowledged;
					await n8n.killWorker('SIGKILL', workerIndex);
					// What the database says right after the crash: these were cut off mid-run (with two
					// workers, some of them ran on the other worker and simply finish).
					const snapshot = await n8n.executions(workflowId);
					runningAtKill = snapshot.filter((execution) => execution.status === 'running');
					queuedAtKill = snapshot.filter((execution) => execution.status === 'new').length;
					await sleep(downMs);
					await n8n.startWorker(workerIndex);
					workerBackAt = performance.now() - started;
				})();
			},
		}),
	);
	await crash;
	const sentMs = performance.now() - started;
	// Executions queued while the worker was down run now; the cut-off ones stay "running" until
	// the main's queue recovery marks them (every minute in these scenarios).
	const settled = await settleExecutions(n8n, workflowId, deliveries.length, 240_000);
	const settledMs = performance.now() - started;
	const census = await executionCensus(n8n, workflowId);
	const cutOffIds = new Set(runningAtKill.map((execution) => execution.id));
	const cutOffNow = settled.filter((execution) => cutOffIds.has(execution.id));

	// The operator's remedy: n8n's Retry on every execution that did not succeed.
	const notSucceeded = settled.filter((execution) => execution.status !== 'success');
	const retries = await pool(notSucceeded, 2, async (execution) => {
		try {
			return { id: execution.id, status: (await n8n.retryExecution(execution.id)).status as string };
		} catch (error) {
			return { id: execution.id, status: `retry refused: ${(error as Error).message.slice(0, 120)}` };
		}
	});

	const acknowledgedIds = outcomes.filter((outcome) => outcome.acknowledged).map((outcome) => outcome.delivery.id);
	// Retries made by the operator above carry retryOf: they are not duplicates of the delivery.
	const originals = new Map<string, ExecutionSummary[]>();
	for (const [id, executions] of census.byDelivery) originals.set(id, executions.filter((execution) => !execution.retryOf));
	// When the restarted worker (or the other one) finds a cut-off job stalled more than Bull's
	// maxStalledCount, n8n fails it ("job stalled more than maxStalledCount") and the execution
	// keeps no trigger data, so its delivery cannot be read from it (seen once at load average 7).
	// Such an execution still proves that one delivery got one: each is matched with one
	// acknowledged delivery that has no readable execution, and only what remains unmatched counts.
	const unattributed = acknowledgedIds.filter((id) => !originals.get(id)?.length);
	const unreadable = census.withoutDelivery.length;
	const lost = unattributed.slice(Math.min(unreadable, unattributed.length));
	const duplicated =
		[...originals.values()].reduce((sum, executions) => sum + Math.max(0, executions.length - 1), 0) + Math.max(0, unreadable - unattributed.length);
	const withoutSuccess = acknowledgedIds.filter((id) => originals.get(id)?.[0]?.status !== 'success');
	const attempts = outcomes.flatMap((outcome) => outcome.attempts);
	const tally = tallyStatuses(attempts.map((answer) => answer.status));
	const gaveUp = outcomes.filter((outcome) => !outcome.acknowledged).length;
	const reRun = [...originals.values()].filter((executions) => executions.length > 1).length;
	recordFigures({
		scenario: options.scenario,
		requests: attempts.length,
		expected: deliveries.length,
		found: [...originals.values()].reduce((sum, executions) => sum + executions.length, 0) + census.withoutDelivery.length,
		lost: lost.length,
		duplicated,
		rejected: tally.rejected,
		forgedAccepted: null,
		serverErrors: tally.serverErrors,
		seconds: seconds(settledMs),
		notes:
			`worker${workerIndex ? ` ${workerIndex + 1}` : ''} SIGKILLed after ${acknowledgedAtKill} of ${deliveries.length} deliveries were acknowledged, restarted ${downMs / 1000} s later ` +
			`(back ${seconds(workerBackAt)} s into the run); the main kept accepting meanwhile (all sent in ${seconds(sentMs)} s, ${gaveUp} given up). ` +
			`At the kill ${runningAtKill.length} executions were running and ${queuedAtKill} queued. ` +
			`Afterwards: the queued ones ran; the ${runningAtKill.length} running at the kill ended ${describeCounts(countStatuses(cutOffNow))}, ` +
			`re-run by n8n: ${reRun}. So ${withoutSuccess.length} acknowledged deliveries have an execution but no successful one` +
			(withoutSuccess.length ? ` (${withoutSuccess.slice(0, 3).join(', ')}${withoutSuccess.length > 3 ? ', …' : ''})` : '') +
			`; n8n's Retry on them: ${describeCounts(countBy(retries.map((retry) => retry.status)))}. ` +
			`All executions: ${describeCounts(countStatuses(settled))}` +
			(unreadable ? `; ${unreadable} executions without trigger data (failed by n8n as stalled), matched with ${Math.min(unreadable, unattributed.length)} acknowledged deliveries without a readable one` : '') +
			(tally.serverErrors || tally.noAnswer ? `; sender saw ${tally.serverErrors} 5xx and ${tally.noAnswer} attempts without an answer` : ''),
	});
	return {
		gaveUp,
		lost,
		duplicated,
		serverErrors: tally.serverErrors,
		cutOffUnfinished: cutOffNow.filter((execution) => ['new', 'running'].includes(execution.status)).map((execution) => execution.id),
	};
}
