// Reliability in n8n's queue mode (Redis + PostgreSQL, a main process that receives the webhooks
// and enqueues, a worker that runs them): the load scenario again, then a worker killed with
// SIGKILL and restarted while an at-least-once sender delivers, with what n8n did with the
// executions the worker was running.
import { printLogOnFailure, startN8n, type ExecutionSummary, type N8n } from '../e2e/harness';
import { chain, node, secretCredential, triggerNode, triggerOnly, triggerPath } from '../e2e/workflows';
import { recordFigures, tallyStatuses } from './figures';
import { expectExactlyOnce, runLoad } from './load';
import {
	agntixDelivery,
	countBy,
	countStatuses,
	deliverAtLeastOnce,
	describeCounts,
	executionCensus,
	pool,
	SEED,
	seconds,
	seededRandom,
	settleExecutions,
	sleep,
	type SenderOutcome,
} from './support';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SIZES = {
	load: Number(process.env.RELIABILITY_QUEUE_LOAD ?? 1000), // the issue: "the load scenario again"
	crash: Number(process.env.RELIABILITY_CRASH ?? 100),
};
/** How long the worker stays dead. */
const WORKER_DOWN_MS = 5_000;
/**
 * n8n's main marks executions whose job is gone from the queue as crashed in its "queue recovery",
 * every N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL minutes (default 180). One minute here, so that the
 * outcome of the crash is visible within the run; nothing else about queue mode is changed.
 */
const RECOVERY_INTERVAL_MINUTES = '1';

const WORKFLOWS = {
	load: triggerOnly('wfRelQLoad00001', 'rel-q-load', { platform: 'agntix' }),
	// Two seconds in the worker per execution, so that the kill cuts some off mid-run.
	crash: chain('wfRelQCrash0001', [
		triggerNode('rel-q-crash', { platform: 'agntix' }),
		node('Wait', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: 2, unit: 'seconds' }, 1.1),
		node('Done', 'n8n-nodes-base.noOp'),
	]),
};

let n8n: N8n;

beforeAll(async () => {
	n8n = await startN8n({
		workflows: Object.values(WORKFLOWS),
		credentials: [secretCredential(SECRET)],
		mode: 'queue',
		env: { N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: RECOVERY_INTERVAL_MINUTES },
	});
	console.log(`[reliability] n8n queue mode started in ${n8n.timings.totalMs} ms: ${JSON.stringify(n8n.timings)}; sizes ${JSON.stringify(SIZES)}`);
}, 900_000);

afterAll(async () => {
	await n8n?.stop();
});

const scenario = (name: string, body: () => Promise<void>, timeoutMs = 900_000) =>
	test(name, () => printLogOnFailure(n8n, body), timeoutMs);

describe('reliability (queue mode: Redis, PostgreSQL, main + worker)', () => {
	scenario(`load: ${SIZES.load} Agntix deliveries, 10% re-sent copies, concurrency 20`, async () => {
		const outcome = await runLoad(n8n, {
			scenario: 'load (queue)',
			workflowId: WORKFLOWS.load.id,
			url: n8n.webhookUrl(triggerPath('rel-q-load')),
			secret: SECRET,
			total: SIZES.load,
			copyShare: 0.1,
			concurrency: 20,
			seed: SEED + 10,
			settleMs: 180_000,
		});
		expectExactlyOnce(outcome);
		expect(outcome.statuses).toEqual({ success: outcome.unique });
		// Every one of them ran on the worker, none in the main process.
		const onWorker = new Set(n8n.workerExecutionIds());
		const executions = await n8n.executions(WORKFLOWS.load.id);
		expect(executions.filter((execution) => !onWorker.has(execution.id)).map((execution) => execution.id)).toEqual([]);
	});

	scenario(`worker crash: SIGKILL and restart of the worker while ${SIZES.crash} deliveries arrive`, async () => {
		const random = seededRandom(SEED + 20);
		const deliveries = Array.from({ length: SIZES.crash }, (_, index) => agntixDelivery(`crash-${process.pid}`, index));
		const target = n8n.webhookUrl(triggerPath('rel-q-crash'));
		const killAfter = Math.round(deliveries.length * 0.3);
		let acknowledged = 0;
		let crash: Promise<void> | undefined;
		let runningAtKill: ExecutionSummary[] = [];
		let queuedAtKill = 0;
		let acknowledgedAtKill = 0;
		let workerBackAt = 0;
		const started = performance.now();
		const outcomes: SenderOutcome[] = await pool(deliveries, 10, (delivery) =>
			deliverAtLeastOnce(target, delivery, SECRET, {
				giveUpAfterMs: 300_000,
				random,
				onAttempt(answer) {
					if (answer.status >= 200 && answer.status < 300) acknowledged++;
					if (crash || acknowledged < killAfter) return;
					crash = (async () => {
						acknowledgedAtKill = acknowledged;
						await n8n.killWorker('SIGKILL');
						// What the database says right after the crash: these were cut off mid-run.
						const snapshot = await n8n.executions(WORKFLOWS.crash.id);
						runningAtKill = snapshot.filter((execution) => execution.status === 'running');
						queuedAtKill = snapshot.filter((execution) => execution.status === 'new').length;
						await sleep(WORKER_DOWN_MS);
						await n8n.startWorker();
						workerBackAt = performance.now() - started;
					})();
				},
			}),
		);
		await crash;
		const sentMs = performance.now() - started;
		// Executions queued while the worker was down run now; the cut-off ones stay "running" until
		// the main's queue recovery marks them (every minute here).
		const settled = await settleExecutions(n8n, WORKFLOWS.crash.id, deliveries.length, 240_000);
		const settledMs = performance.now() - started;
		const census = await executionCensus(n8n, WORKFLOWS.crash.id);
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
		const lost = acknowledgedIds.filter((id) => !originals.get(id)?.length);
		const duplicated = [...originals.values()].reduce((sum, executions) => sum + Math.max(0, executions.length - 1), 0) + census.withoutDelivery.length;
		const withoutSuccess = acknowledgedIds.filter((id) => originals.get(id)?.[0]?.status !== 'success');
		const attempts = outcomes.flatMap((outcome) => outcome.attempts);
		const tally = tallyStatuses(attempts.map((answer) => answer.status));
		const gaveUp = outcomes.filter((outcome) => !outcome.acknowledged).length;
		const reRun = [...originals.values()].filter((executions) => executions.length > 1).length;
		recordFigures({
			scenario: 'worker crash (queue)',
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
				`worker SIGKILLed after ${acknowledgedAtKill} of ${deliveries.length} deliveries were acknowledged, restarted ${WORKER_DOWN_MS / 1000} s later ` +
				`(back ${seconds(workerBackAt)} s into the run); the main kept accepting meanwhile (all sent in ${seconds(sentMs)} s, ${gaveUp} given up). ` +
				`At the kill ${runningAtKill.length} executions were running on the worker and ${queuedAtKill} queued. ` +
				`Afterwards: the queued ones ran on the new worker; the ${runningAtKill.length} cut off ended ${describeCounts(countStatuses(cutOffNow))}, ` +
				`re-run by n8n: ${reRun}. So ${withoutSuccess.length} acknowledged deliveries have an execution but no successful one` +
				(withoutSuccess.length ? ` (${withoutSuccess.slice(0, 3).join(', ')}${withoutSuccess.length > 3 ? ', …' : ''})` : '') +
				`; n8n's Retry on them: ${describeCounts(countBy(retries.map((retry) => retry.status)))}. ` +
				`All executions: ${describeCounts(countStatuses(settled))}` +
				(tally.serverErrors || tally.noAnswer ? `; sender saw ${tally.serverErrors} 5xx and ${tally.noAnswer} attempts without an answer` : ''),
		});
		expect(gaveUp).toBe(0);
		expect(lost).toEqual([]);
		expect(duplicated).toBe(0);
		expect(tally.serverErrors).toBe(0);
		// What is honest to assert about n8n: each cut-off execution ended (crashed), none is left running.
		expect(cutOffNow.filter((execution) => ['new', 'running'].includes(execution.status)).map((execution) => execution.id)).toEqual([]);
	});
});
