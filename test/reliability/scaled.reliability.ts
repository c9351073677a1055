// Reliability in n8n's scaled topology (docs/deployment.md): nginx running the shipped
// docs/deployment/nginx.conf in front of two `n8n webhook` processes, a main process that keeps
// only the editor and API (N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true), two `n8n worker`s, Redis
// and PostgreSQL. Live turns stream through nginx and the webhook processes; the load scenario
// runs with the shipped hashing rule (asserted exactly once) and again round robin (recorded
// only: copies of one delivery then reach both processes, whose de-duplication is per process);
// a webhook process and a worker are killed mid-load; and the static-data race is measured.
// Heavy rows: n8n's primary version only (npm test runs the reliability suite on it alone).
import type { IDataObject } from 'n8n-workflow';

import { deliveryKey, recordedDeliveries } from '../../nodes/VoiceAgentTrigger/deduplication';
import { printLogOnFailure, startN8n, type N8n } from '../e2e/harness';
import { chain, node, secretCredential, triggerNode, triggerOnly, triggerPath, VOICE_AGENT_TYPE } from '../e2e/workflows';
import { signLayercode } from '../support/sign';
import { readTurn } from '../support/sse';
import { crashWorkflow, runWorkerCrash } from './crash';
import { recordFigures, tallyStatuses } from './figures';
import { expectExactlyOnce, runLoad } from './load';
import { agntixDelivery, compare, deliverAtLeastOnce, describeCounts, executionCensus, pool, SEED, seconds, seededRandom, settleExecutions, sleep } from './support';
import type { AccessEntry } from '../support/nginx';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'; // Svix for Agntix; Layercode signs with the same text
const SIZES = {
	turns: Number(process.env.RELIABILITY_SCALED_TURNS ?? 10),
	load: Number(process.env.RELIABILITY_SCALED_LOAD ?? 1000),
	webhookKill: Number(process.env.RELIABILITY_SCALED_WEBHOOK_KILL ?? 300),
	crash: Number(process.env.RELIABILITY_CRASH ?? 100),
};
const PROCESS_DOWN_MS = 5_000;
/** As in queue.reliability.ts: the main's queue recovery marks cut-off executions within the run. */
const RECOVERY_INTERVAL_MINUTES = '1';

const say = (name: string, text: string) => node(name, VOICE_AGENT_TYPE, { resource: 'turn', operation: 'speak', text });
const WORKFLOWS = {
	turn: chain('wfRelSTurn00001', [
		triggerNode('rel-s-turn', { platform: 'layercode' }),
		say('Speak Wait', 'One moment.'),
		node('Wait', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: 1, unit: 'seconds' }, 1.1),
		say('Speak Result', '=You said: {{ $("Voice Agent Trigger").item.json.text }}'),
		node('End Turn', VOICE_AGENT_TYPE, { resource: 'turn', operation: 'endTurn' }),
	]),
	hashed: triggerOnly('wfRelSLoadHash1', 'rel-s-hash', { platform: 'agntix' }),
	roundRobin: triggerOnly('wfRelSLoadRR001', 'rel-s-rr', { platform: 'agntix' }),
	webhookKill: triggerOnly('wfRelSWhKill001', 'rel-s-whkill', { platform: 'agntix' }),
	crash: crashWorkflow('wfRelSCrash0001', 'rel-s-crash'),
};

let n8n: N8n;

beforeAll(async () => {
	n8n = await startN8n({
		workflows: Object.values(WORKFLOWS),
		credentials: [secretCredential(SECRET)],
		mode: 'scaled',
		// The deployment docs/deployment.md recommends: lazy isolate acquisition (docs/performance.md).
		env: { N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: RECOVERY_INTERVAL_MINUTES, N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
	});
	console.log(`[reliability] n8n scaled topology started in ${n8n.timings.totalMs} ms: ${JSON.stringify(n8n.timings)}; sizes ${JSON.stringify(SIZES)}`);
}, 900_000);

afterAll(async () => {
	await n8n?.stop();
});

const scenario = (name: string, body: () => Promise<void>, timeoutMs = 900_000) => test(name, () => printLogOnFailure(n8n, body), timeoutMs);

/** The access log lines of one path since `from`: which webhook process took what. */
async function accessSince(from: number, path: string): Promise<AccessEntry[]> {
	return (await n8n.accessLog()).slice(from).filter((entry) => entry.uri.startsWith(`/webhook/${path}`));
}

/** How many requests each webhook process answered (the last upstream nginx tried), by port. */
function spread(entries: AccessEntry[]): string {
	const ports = n8n.webhookProcessUrls.map((url) => `127.0.0.1:${new URL(url).port}`);
	return ports.map((port, index) => `process ${index + 1}: ${entries.filter((entry) => entry.upstreams.at(-1) === port).length}`).join(', ');
}

/** Delivery ids whose requests reached more than one webhook process. */
function splitDeliveries(entries: AccessEntry[]): string[] {
	const upstreams = new Map<string, Set<string>>();
	for (const entry of entries) {
		if (!entry.deliveryId || entry.upstreams.length === 0) continue;
		upstreams.set(entry.deliveryId, (upstreams.get(entry.deliveryId) ?? new Set()).add(entry.upstreams.at(-1) as string));
	}
	return [...upstreams].filter(([, set]) => set.size > 1).map(([id]) => id);
}

/** Acknowledged ids missing from the persisted de-duplication record (workflow static data in PostgreSQL). */
async function missingFromRecord(workflowId: string, ids: string[]): Promise<string[]> {
	const staticData = await n8n.staticData(workflowId);
	const record = Object.values(staticData).find((value) => value && typeof value === 'object' && 'deliveries' in (value as object)) as
		| IDataObject
		| undefined;
	const stored = new Set(recordedDeliveries(record ?? {}).map(([key]) => key));
	return ids.filter((id) => !stored.has(deliveryKey(id)));
}

describe('reliability (scaled topology: nginx, 2 webhook processes, 2 workers, Redis, PostgreSQL)', () => {
	scenario(`${SIZES.turns} concurrent Layercode turns stream through nginx and the webhook processes`, async () => {
		const from = (await n8n.accessLog()).length;
		const started = performance.now();
		const answers = await Promise.all(
			Array.from({ length: SIZES.turns }, async (_, index) => {
				const turnId = `turn_scaled_${process.pid}_${index}`;
				const body = JSON.stringify({ type: 'message', session_id: `sess_${index}`, conversation_id: `conv_${index}`, turn_id: turnId, text: `question ${index}` });
				return { turnId, index, answer: await readTurn(n8n.webhookUrl(triggerPath('rel-s-turn')), body, signLayercode(body, SECRET)) };
			}),
		);
		const elapsedMs = performance.now() - started;
		const executions = await settleExecutions(n8n, WORKFLOWS.turn.id, SIZES.turns, 120_000);
		const census = await executionCensus(n8n, WORKFLOWS.turn.id, 'turnId');
		const { lost, duplicated } = compare(
			answers.map(({ turnId }) => turnId),
			census,
		);
		const entries = await accessSince(from, triggerPath('rel-s-turn'));
		const wrong = answers.filter(
			({ answer, turnId, index }) =>
				answer.status !== 200 ||
				JSON.stringify(answer.frames.map((frame) => frame.data)) !==
					JSON.stringify([
						{ type: 'response.tts', content: 'One moment.', turn_id: turnId },
						{ type: 'response.tts', content: `You said: question ${index}`, turn_id: turnId },
						{ type: 'response.end', turn_id: turnId },
					]),
		);
		// Incremental: the first words arrived a whole Wait (1 s) before the rest, through nginx.
		const gaps = answers.map(({ answer }) => (answer.frames.length >= 2 ? answer.frames[1].at - answer.frames[0].at : 0));
		const firstFrames = answers.map(({ answer }) => answer.frames[0]?.at ?? Infinity).sort((a, b) => a - b);
		const tally = tallyStatuses(answers.map(({ answer }) => answer.status));
		recordFigures({
			scenario: 'live turns (scaled)',
			requests: answers.length,
			expected: answers.length,
			found: census.all.length,
			lost: lost.length,
			duplicated,
			rejected: tally.rejected,
			forgedAccepted: null,
			serverErrors: tally.serverErrors,
			seconds: seconds(elapsedMs),
			notes:
				`${answers.length} Layercode turns at once (Speak → Wait 1 s → Speak → End Turn), through nginx; webhook processes took ${spread(entries)}; ` +
				`turns not answered exactly [tts, tts, end] with their own turn_id: ${wrong.length}; ` +
				`first frame ${Math.round(firstFrames[0])}–${Math.round(firstFrames[firstFrames.length - 1])} ms, gap to the next frame at least ${Math.round(Math.min(...gaps))} ms; ` +
				`executions: ${describeCounts(census.statuses)}`,
		});
		expect(wrong.map(({ turnId, answer }) => ({ turnId, status: answer.status, frames: answer.frames.map((frame) => frame.data) }))).toEqual([]);
		for (const { answer } of answers) {
			expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
			expect(answer.headers.get('content-encoding')).toBeNull();
			expect(answer.garbage).toEqual([]);
		}
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(900);
		expect(lost).toEqual([]);
		expect(duplicated).toBe(0);
		expect(executions.every((execution) => execution.status === 'success')).toBe(true);
		// nginx sent them to the webhook processes (the main serves no production webhooks here).
		expect(entries).toHaveLength(answers.length);
	});

	scenario(`load, hashed on svix-id: ${SIZES.load} Agntix deliveries, 10% re-sent copies, concurrency 20`, async () => {
		const from = (await n8n.accessLog()).length;
		const outcome = await runLoad(n8n, {
			scenario: 'load (scaled, hashed)',
			workflowId: WORKFLOWS.hashed.id,
			url: n8n.webhookUrl(triggerPath('rel-s-hash')),
			secret: SECRET,
			total: SIZES.load,
			copyShare: 0.1,
			concurrency: 20,
			seed: SEED + 30,
			settleMs: 180_000,
		});
		const entries = await accessSince(from, triggerPath('rel-s-hash'));
		console.log(`[reliability] load (scaled, hashed): ${spread(entries)}; deliveries split across processes: ${splitDeliveries(entries).length}`);
		expectExactlyOnce(outcome);
		expect(outcome.statuses).toEqual({ success: outcome.unique });
		// The rule at work: both processes took a share, and every copy went where its original went.
		expect(splitDeliveries(entries)).toEqual([]);
		expect(new Set(entries.map((entry) => entry.upstreams.at(-1))).size).toBe(2);
	});

	scenario('the static-data race: ids missing from the persisted record after two webhook processes saved at once', async () => {
		// The hashed load above: both processes confirmed ids concurrently, each saving the whole
		// workflow static data it had loaded at the start of its request plus the ids it knows.
		const census = await executionCensus(n8n, WORKFLOWS.hashed.id);
		const ids = [...census.byDelivery.keys()];
		const missing = await missingFromRecord(WORKFLOWS.hashed.id, ids);
		// One more delivery to each process (directly): each save re-writes every id that process knows.
		const healIds: string[] = [];
		for (const [index, base] of n8n.webhookProcessUrls.entries()) {
			const delivery = agntixDelivery(`heal-${process.pid}`, index);
			healIds.push(delivery.id);
			const outcome = await deliverAtLeastOnce(`${base}/webhook/${triggerPath('rel-s-hash')}`, delivery, SECRET, { giveUpAfterMs: 30_000 });
			expect(outcome.acknowledged?.status).toBe(200);
		}
		await settleExecutions(n8n, WORKFLOWS.hashed.id, ids.length + healIds.length, 60_000);
		const missingAfterHeal = await missingFromRecord(WORKFLOWS.hashed.id, [...ids, ...healIds]);
		recordFigures({
			scenario: 'static-data record (scaled)',
			requests: ids.length,
			expected: ids.length,
			found: ids.length - missing.length,
			lost: missing.length,
			duplicated: null,
			rejected: 0,
			forgedAccepted: null,
			serverErrors: 0,
			seconds: 0,
			notes:
				`the de-duplication record n8n persisted (workflow static data, PostgreSQL) after the hashed load: ${missing.length} of ${ids.length} confirmed delivery ids missing ` +
				`(each webhook process saves the whole static data it loaded at the start of its request, plus every id it knows: the last save lacks the other process's ids confirmed meanwhile); ` +
				`after one more delivery to each process: ${missingAfterHeal.length} missing. ` +
				`Only a copy arriving at the *other* process (a process restarted, lost, or round-robin routing) consults this record; with the hashing rule a copy reaches the process that remembers it.`,
		});
		expect(missingAfterHeal).toEqual([]);
	});

	scenario(`load, round robin (the same file without the hash rule): ${SIZES.load} deliveries, recorded, not asserted`, async () => {
		await n8n.setRouting('roundRobin');
		try {
			const from = (await n8n.accessLog()).length;
			const outcome = await runLoad(n8n, {
				scenario: 'load (scaled, round robin)',
				workflowId: WORKFLOWS.roundRobin.id,
				url: n8n.webhookUrl(triggerPath('rel-s-rr')),
				secret: SECRET,
				total: SIZES.load,
				copyShare: 0.1,
				concurrency: 20,
				seed: SEED + 30,
				settleMs: 180_000,
			});
			const entries = await accessSince(from, triggerPath('rel-s-rr'));
			console.log(
				`[reliability] load (scaled, round robin): ${spread(entries)}; deliveries split across processes: ${splitDeliveries(entries).length}; ` +
					`lost ${outcome.lost.length}, doubled ${outcome.duplicated}`,
			);
			// Recorded in the table (runLoad wrote the row); doubles are what this row is there to show.
			// Asserted only: the routing really changed (copies did reach both processes).
			expect(splitDeliveries(entries).length).toBeGreaterThan(0);
		} finally {
			await n8n.setRouting('hash');
		}
	});

	scenario(`webhook process killed: SIGKILL and restart of one webhook process while ${SIZES.webhookKill} deliveries arrive`, async () => {
		const random = seededRandom(SEED + 40);
		const deliveries = Array.from({ length: SIZES.webhookKill }, (_, index) => agntixDelivery(`whkill-${process.pid}`, index));
		const url = n8n.webhookUrl(triggerPath('rel-s-whkill'));
		const killAfter = Math.round(deliveries.length * 0.3);
		let acknowledged = 0;
		let fault: Promise<void> | undefined;
		let acknowledgedAtKill = 0;
		const started = performance.now();
		const outcomes = await pool(deliveries, 20, (delivery) =>
			deliverAtLeastOnce(url, delivery, SECRET, {
				giveUpAfterMs: 180_000,
				random,
				onAttempt(answer) {
					if (answer.status >= 200 && answer.status < 300) acknowledged++;
					if (fault || acknowledged < killAfter) return;
					fault = (async () => {
						acknowledgedAtKill = acknowledged;
						await n8n.killWebhookProcess(0, 'SIGKILL');
						await sleep(PROCESS_DOWN_MS);
						await n8n.startWebhookProcess(0);
					})();
				},
			}),
		);
		await fault;
		const sentMs = performance.now() - started;
		await settleExecutions(n8n, WORKFLOWS.webhookKill.id, deliveries.length, 180_000);
		const census = await executionCensus(n8n, WORKFLOWS.webhookKill.id);
		const acknowledgedIds = outcomes.filter((outcome) => outcome.acknowledged).map((outcome) => outcome.delivery.id);
		const { lost, duplicated } = compare(acknowledgedIds, census);
		const attempts = outcomes.flatMap((outcome) => outcome.attempts);
		const tally = tallyStatuses(attempts.map((answer) => answer.status));
		const gaveUp = outcomes.filter((outcome) => !outcome.acknowledged).length;
		// An execution the killed process created but never handed to Redis stays "new" until the
		// main's queue recovery marks it crashed: whether its delivery was acknowledged says whether work was lost.
		const withoutSuccess = acknowledgedIds.filter((id) => !census.byDelivery.get(id)?.some((execution) => execution.status === 'success'));
		recordFigures({
			scenario: 'webhook process killed (scaled)',
			requests: attempts.length,
			expected: deliveries.length,
			found: census.all.length,
			lost: lost.length,
			duplicated,
			rejected: tally.rejected,
			forgedAccepted: null,
			serverErrors: tally.serverErrors,
			seconds: seconds(performance.now() - started),
			notes:
				`webhook process 1 SIGKILLed after ${acknowledgedAtKill} of ${deliveries.length} deliveries were acknowledged, restarted ${PROCESS_DOWN_MS / 1000} s later; ` +
				`concurrency 20, the sender retries any non-2xx or missing answer like Svix (all sent in ${seconds(sentMs)} s, ${gaveUp} given up); ` +
				`nginx answered ${tally.serverErrors} × 5xx (requests in flight in the killed process) and ${tally.noAnswer} without an answer; ` +
				`while it was down nginx sent its share to the other process (refused connections are retried there). ` +
				`Doubles here are deliveries whose execution the killed process had created but whose 2xx never left it: the retry ran them again (at-least-once). ` +
				`Executions: ${describeCounts(census.statuses)}; acknowledged deliveries without a successful execution: ${withoutSuccess.length}` +
				(withoutSuccess.length ? ` (${withoutSuccess.slice(0, 3).join(', ')}: acknowledged, then cut off; n8n's Retry is the remedy)` : ''),
		});
		expect(gaveUp).toBe(0);
		expect(lost).toEqual([]);
	});

	scenario(`worker crash: SIGKILL and restart of one of two workers while ${SIZES.crash} deliveries arrive`, async () => {
		const outcome = await runWorkerCrash(n8n, {
			scenario: 'worker crash (scaled)',
			workflowId: WORKFLOWS.crash.id,
			url: n8n.webhookUrl(triggerPath('rel-s-crash')),
			secret: SECRET,
			deliveries: SIZES.crash,
			seed: SEED + 50,
			downMs: PROCESS_DOWN_MS,
			workerIndex: 0,
		});
		expect(outcome.gaveUp).toBe(0);
		expect(outcome.lost).toEqual([]);
		expect(outcome.duplicated).toBe(0);
		expect(outcome.serverErrors).toBe(0);
		expect(outcome.cutOffUnfinished).toEqual([]);
	});
});
