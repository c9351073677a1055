// Reliability in n8n's queue mode (Redis + PostgreSQL, a main process that receives the webhooks
// and enqueues, a worker that runs them): the load scenario again, then a worker killed with
// SIGKILL and restarted while an at-least-once sender delivers, with what n8n did with the
// executions the worker was running.
import { printLogOnFailure, startN8n, type N8n } from '../e2e/harness';
import { secretCredential, triggerOnly, triggerPath } from '../e2e/workflows';
import { crashWorkflow, runWorkerCrash } from './crash';
import { expectExactlyOnce, runLoad } from './load';
import { SEED } from './support';

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
	crash: crashWorkflow('wfRelQCrash0001', 'rel-q-crash'),
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
		const outcome = await runWorkerCrash(n8n, {
			scenario: 'worker crash (queue)',
			workflowId: WORKFLOWS.crash.id,
			url: n8n.webhookUrl(triggerPath('rel-q-crash')),
			secret: SECRET,
			deliveries: SIZES.crash,
			seed: SEED + 20,
			downMs: WORKER_DOWN_MS,
		});
		expect(outcome.gaveUp).toBe(0);
		expect(outcome.lost).toEqual([]);
		expect(outcome.duplicated).toBe(0);
		expect(outcome.serverErrors).toBe(0);
		// What is honest to assert about n8n: each cut-off execution ended (crashed), none is left running.
		expect(outcome.cutOffUnfinished).toEqual([]);
	});
});
