// Reliability and security of the Voice Agent Trigger in one real n8n (regular mode, SQLite):
// load with re-sent copies, hostile input, callers hanging up mid-turn (with n8n's memory), and a
// restart while an at-least-once sender keeps retrying. Each scenario records one row of the
// figures table (figures.ts) before asserting.
import { loadavg } from 'node:os';

import { printLogOnFailure, startN8n, type N8n } from '../e2e/harness';
import { chain, node, secretCredential, triggerNode, triggerOnly, triggerPath, VOICE_AGENT_TYPE, type NodeJson } from '../e2e/workflows';
import type { OpenAiStub } from '../support/openai-stub';
import type { PlatformStub } from '../support/platform-stub';
import { signLayercode } from '../support/sign';
import { readTurn, type TurnAnswer } from '../support/sse';
import {
	describeInjection,
	describePathSteps,
	injectionWorkflow,
	openAiCredential,
	platformCredential,
	runInjection,
	runPathSteps,
	startInjectionStub,
	startTranscriptStub,
	transcriptWorkflow,
} from './audit';
import { recordFigures, tallyStatuses } from './figures';
import { freePort, memoryAfterGarbageCollection, type MemoryUsage } from './gc';
import { HOSTILE_EVENTS, hostileCases, PROTOTYPE_NAMES, UNREADABLE_BODIES, type HostileContext, type HostileResult } from './hostile';
import { expectExactlyOnce, runLoad } from './load';
import {
	agntixDelivery,
	compare,
	countBy,
	countStatuses,
	deliverAtLeastOnce,
	describeCounts,
	executionCensus,
	median,
	pool,
	post,
	rssMiB,
	SEED,
	seconds,
	seededRandom,
	settleExecutions,
	settleQuietly,
	sleep,
	svixHeaders,
	type SenderOutcome,
} from './support';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SPEAKNODE_HEADER = 'x-speaknode-signature';
const JWT = { secret: 'speaknode-shared-jwt-secret-0123456789', issuer: 'https://auth.speaknode.test', audience: 'n8n-voice-agent' };
const JWT_CREDENTIAL = {
	id: 'relJwtCred00001',
	name: 'Reliability JWT',
	type: 'voiceAgentJwtApi',
	data: { baseUrl: 'http://127.0.0.1:9', accessToken: '', keyType: 'secret', secret: JWT.secret, algorithms: ['HS256'], issuer: JWT.issuer, audience: JWT.audience, leewaySeconds: 30 },
};

/** Sizes (environment overrides for a quicker local run; the defaults are the issue's). */
const SIZES = {
	load: Number(process.env.RELIABILITY_LOAD ?? 1000),
	hostile: Number(process.env.RELIABILITY_HOSTILE ?? 5000),
	/** Turns of the steered-model case (audit #9) after the hostile requests: 20 at the default 5,000. */
	get injectionTurns() {
		return Math.max(4, Math.round((20 * this.hostile) / 5000));
	},
	hangUps: Number(process.env.RELIABILITY_HANGUPS ?? 200),
	normalTurns: Number(process.env.RELIABILITY_NORMAL_TURNS ?? 100),
	/**
	 * Turns of the same mix before the stream-fault scenario's baseline. n8n's memory outside V8's
	 * heap (2.41 creates and disposes an isolated-vm isolate per webhook request and per execution)
	 * climbs to a plateau over the first few hundred turns while V8's heap stays flat. Measured (VmRSS 2 s after a forced full GC, heap used 182–183 MiB throughout): 407 MiB
	 * at start, 456 after 40 turns, then 491, 495, 499, 497 MiB after each further 300. A baseline
	 * after 40 turns sits below the plateau and alone accounts for about +8 %.
	 */
	streamWarmUp: Number(process.env.RELIABILITY_STREAM_WARMUP ?? 300),
	restart: Number(process.env.RELIABILITY_RESTART ?? 200),
};
/** The restart scenario's sender pauses this long after each delivery in each of its 4 lanes. */
const PACE_MS = 300;
const PROTOTYPE_LIST = PROTOTYPE_NAMES.join(', ');

const say = (name: string, text: string) => node(name, VOICE_AGENT_TYPE, { resource: 'turn', operation: 'speak', text });

/**
 * The hostile scenario's four triggers (Svix, Layercode, SpeakNode HMAC, Bearer JWT) in one
 * workflow: one `n8n publish:workflow` instead of four at start-up. They listen to the events of
 * the catalogue's valid bodies only, so a genuinely signed delivery of another event (audit #4's
 * `constructor`…) is answered "ignored" and any execution means something got through.
 */
function hostileWorkflow() {
	const named = (name: string, trigger: NodeJson) => ({ ...trigger, name });
	const events = HOSTILE_EVENTS;
	const jwt = triggerNode('rel-h-jwt', { platform: 'speaknode', verification: 'jwt', events });
	jwt.credentials = { voiceAgentJwtApi: { id: JWT_CREDENTIAL.id, name: JWT_CREDENTIAL.name } };
	const triggers = [
		named('Agntix Trigger', triggerNode('rel-h-agntix', { platform: 'agntix', events })),
		named('Layercode Trigger', triggerNode('rel-h-layercode', { platform: 'layercode', events })),
		named('SpeakNode Trigger', triggerNode('rel-h-speaknode', { platform: 'speaknode', verification: 'bodyHmac', signatureHeader: SPEAKNODE_HEADER, events })),
		named('JWT Trigger', jwt),
	];
	triggers.forEach((trigger, index) => (trigger.position = [0, index * 200]));
	const done = { ...node('Done', 'n8n-nodes-base.noOp'), position: [300, 300] as [number, number] };
	const connections = Object.fromEntries(triggers.map((trigger) => [trigger.name, { main: [[{ node: 'Done', type: 'main', index: 0 }]] }]));
	return { id: 'wfRelHostile001', name: 'wfRelHostile001', nodes: [...triggers, done], connections, active: false, settings: { executionOrder: 'v1' }, pinData: {} };
}

const WORKFLOWS = {
	load: triggerOnly('wfRelLoad000001', 'rel-load', { platform: 'agntix' }),
	restart: triggerOnly('wfRelRestart001', 'rel-restart', { platform: 'agntix' }),
	hostile: hostileWorkflow(),
	// The hostile scenario's audit cases that need a workflow of their own (audit.ts).
	injection: injectionWorkflow(),
	transcript: transcriptWorkflow(),
	stream: chain('wfRelStream0001', [
		triggerNode('rel-stream', { platform: 'layercode' }),
		say('Speak Wait', 'One moment, let me check.'),
		node('Wait', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: 0.5, unit: 'seconds' }, 1.1),
		node('Send Data', VOICE_AGENT_TYPE, {
			resource: 'turn',
			operation: 'sendData',
			data: '={{ JSON.stringify({ crm: { turn: $("Voice Agent Trigger").item.json.turnId } }) }}',
		}),
		say('Speak Result', '=You said: {{ $("Voice Agent Trigger").item.json.text }}'),
		node('End Turn', VOICE_AGENT_TYPE, { resource: 'turn', operation: 'endTurn' }),
	]),
};

let n8n: N8n;
/** The hostile scenario's model (audit #9) and platform API (audit #2) stubs: their URLs go into credentials. */
let openAiStub: OpenAiStub;
let platformStub: PlatformStub;
/** n8n's inspector port: the stream-fault scenario measures memory after a forced garbage collection (gc.ts). */
let inspectorPort = 0;

const MiB = (bytes: number) => bytes / 1024 / 1024;
const percent = (from: number, to: number) => ((to - from) / from) * 100;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}%`;
const loadAverages = () => loadavg().map((value) => value.toFixed(2)).join(' / ');

beforeAll(async () => {
	inspectorPort = await freePort();
	[openAiStub, platformStub] = await Promise.all([startInjectionStub(), startTranscriptStub()]);
	n8n = await startN8n({
		workflows: Object.values(WORKFLOWS),
		credentials: [secretCredential(SECRET), JWT_CREDENTIAL, openAiCredential(openAiStub), platformCredential(platformStub)],
		// The inspector listens on loopback and stays unattached except for the two collections.
		env: { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}` },
	});
	console.log(`[reliability] n8n regular mode started in ${n8n.timings.totalMs} ms; seed ${SEED}; sizes ${JSON.stringify(SIZES)}`);
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await Promise.all([openAiStub?.stop(), platformStub?.close()]);
});

const scenario = (name: string, body: () => Promise<void>, timeoutMs = 900_000) =>
	test(name, () => printLogOnFailure(n8n, body), timeoutMs);

const url = (name: string) => n8n.webhookUrl(triggerPath(name));

async function healthy(): Promise<boolean> {
	const [health, readiness] = await Promise.all([fetch(`${n8n.baseUrl}/healthz`), fetch(`${n8n.baseUrl}/healthz/readiness`)]);
	await Promise.all([health.arrayBuffer(), readiness.arrayBuffer()]);
	return health.status === 200 && readiness.status === 200;
}

describe('reliability (regular mode)', () => {
	scenario(`stream faults: ${SIZES.hangUps} turns hung up at a random moment among ${SIZES.normalTurns} normal turns`, async () => {
		const random = seededRandom(SEED + 1);
		let turnCounter = 0;
		type Turn = { kind: 'normal' | 'hang-up'; turnId: string; text: string; hangUp?: { afterMs?: number; afterFrames?: number } };
		const makeTurn = (kind: Turn['kind']): Turn => {
			const turnId = `turn_rel_${process.pid}_${++turnCounter}`;
			const hangUp = random.chance(0.5) ? { afterMs: random.int(0, 1_200) } : { afterFrames: random.int(1, 3) };
			return { kind, turnId, text: `question ${turnCounter}`, hangUp: kind === 'hang-up' ? hangUp : undefined };
		};
		const shuffled = <T>(items: T[]): T[] => {
			for (let i = items.length - 1; i > 0; i--) {
				const j = random.int(0, i);
				[items[i], items[j]] = [items[j], items[i]];
			}
			return items;
		};
		const play = async (turn: Turn): Promise<{ turn: Turn; answer?: TurnAnswer; error?: string }> => {
			const body = JSON.stringify({ type: 'message', session_id: 'sess_rel', conversation_id: 'conv_rel', turn_id: turn.turnId, text: turn.text });
			let deadline: NodeJS.Timeout | undefined;
			try {
				const reading = readTurn(url('rel-stream'), body, signLayercode(body, SECRET), {
					hangUpAfterMs: turn.hangUp?.afterMs,
					hangUpAfterFrames: turn.hangUp?.afterFrames,
				});
				// The client's own safety net: one CI run waited 15 minutes on a turn with no socket
				// left open (the test process's fetch, not n8n). A turn still unsettled after 60 s
				// counts as not answered: a normal one fails the scenario, a hung-up one is gone anyway.
				const stuck = new Promise<never>((_, fail) => {
					deadline = setTimeout(() => fail(Object.assign(new Error('no settlement within 60 s'), { name: 'ClientDeadline' })), 60_000);
				});
				return { turn, answer: await Promise.race([reading, stuck]) };
			} catch (error) {
				// Hung up before the answer's headers arrived: fetch itself rejects.
				return { turn, error: (error as Error).name };
			} finally {
				clearTimeout(deadline);
			}
		};
		const expectedFrames = (turn: Turn) => [
			{ type: 'response.tts', content: 'One moment, let me check.', turn_id: turn.turnId },
			{ type: 'response.data', content: { crm: { turn: turn.turnId } }, turn_id: turn.turnId },
			{ type: 'response.tts', content: `You said: ${turn.text}`, turn_id: turn.turnId },
			{ type: 'response.end', turn_id: turn.turnId },
		];
		const pid = n8n.mainPid();
		if (!pid) throw new Error('n8n is not running');

		// Every normal turn has an execution; a caller who hangs up before n8n has read the request
		// leaves none, so the number to wait for is not known in advance: wait until n8n is quiet.
		const settle = (minimum: number, timeoutMs: number) => settleQuietly(n8n, WORKFLOWS.stream.id, minimum, timeoutMs);
		// Memory after a full garbage collection: the process's VmRSS (the criterion) and V8's heap.
		const measure = async (): Promise<{ rss: number; heap: MemoryUsage }> => {
			const heap = await memoryAfterGarbageCollection(pid, inspectorPort);
			await sleep(2_000);
			return { rss: rssMiB(pid), heap };
		};

		// Warm-up with the same mix and as long as the run, so that the baseline is n8n with this
		// workload's code paths, heap and allocator high-water mark (SIZES.streamWarmUp).
		const warmUpNormal = Math.round(SIZES.streamWarmUp / 3);
		const warmUp = shuffled([
			...Array.from({ length: warmUpNormal }, () => makeTurn('normal')),
			...Array.from({ length: SIZES.streamWarmUp - warmUpNormal }, () => makeTurn('hang-up')),
		]);
		await pool(warmUp, 10, play);
		await settle(warmUpNormal, 120_000);
		// The baseline: memory after a full garbage collection, once the warm-up's executions are done.
		const firstSample = rssMiB(pid);
		const before = await measure();
		const baseline = before.rss;
		const loadBefore = loadAverages();

		const turns = shuffled([...Array.from({ length: SIZES.hangUps }, () => makeTurn('hang-up')), ...Array.from({ length: SIZES.normalTurns }, () => makeTurn('normal'))]);
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, rssMiB(pid));
		}, 500);
		const started = performance.now();
		let outcomes: Awaited<ReturnType<typeof play>>[];
		try {
			outcomes = await pool(turns, 10, play);
		} finally {
			clearInterval(sampler);
		}
		const all = await settle(warmUpNormal + SIZES.normalTurns, 120_000);
		const elapsedMs = performance.now() - started;

		// Memory after the run, measured the same way: a full garbage collection once every execution
		// has finished. If it is not back within 10% at once, n8n gets up to 60 s idle (and another
		// collection every 10 s) before the verdict.
		const settleStarted = performance.now();
		let afterRun = await measure();
		while (afterRun.rss > baseline * 1.1 && performance.now() - settleStarted < 60_000) {
			await sleep(8_000);
			afterRun = await measure();
		}
		const after = afterRun.rss;
		const settleSeconds = seconds(performance.now() - settleStarted);
		const heapBaseline = MiB(before.heap.heapUsed);
		const heapAfter = MiB(afterRun.heap.heapUsed);

		const census = await executionCensus(n8n, WORKFLOWS.stream.id, 'turnId');
		const ran = new Set(turns.map((turn) => turn.turnId));
		const runExecutions = [...census.byDelivery].filter(([turnId]) => ran.has(turnId));
		const normal = outcomes.filter((outcome) => outcome.turn.kind === 'normal');
		const hangUps = outcomes.filter((outcome) => outcome.turn.kind === 'hang-up');
		const broken = normal.filter(
			(outcome) =>
				outcome.answer?.status !== 200 ||
				outcome.answer.garbage.length > 0 ||
				JSON.stringify(outcome.answer.frames.map((frame) => frame.data)) !== JSON.stringify(expectedFrames(outcome.turn)),
		);
		const statuses = outcomes.map((outcome) => outcome.answer?.status ?? 0);
		const tally = tallyStatuses(statuses);
		const normalWithoutSuccess = normal.filter((outcome) => census.byDelivery.get(outcome.turn.turnId)?.[0]?.status !== 'success');
		const hangUpStatuses = countStatuses(hangUps.flatMap((outcome) => census.byDelivery.get(outcome.turn.turnId) ?? []));
		const hangUpsWithoutExecution = hangUps.filter((outcome) => !census.byDelivery.has(outcome.turn.turnId)).length;
		const duplicated = runExecutions.reduce((sum, [, executions]) => sum + executions.length - 1, 0);
		// Executions without a turn would be n8n failing to read the body of a caller already gone
		// (the trigger answers that itself since the hostile scenario found it): expected none.
		const bodiless = census.withoutDelivery;
		const growth = percent(baseline, after);
		const heapGrowth = percent(heapBaseline, heapAfter);
		const hungUpBeforeHeaders = hangUps.filter((outcome) => !outcome.answer && outcome.error !== 'ClientDeadline').length;
		const clientStuck = [...normal, ...hangUps].filter((outcome) => outcome.error === 'ClientDeadline').length;
		recordFigures({
			scenario: 'stream faults (regular)',
			requests: turns.length,
			// One per normal turn; a hung-up turn has one if n8n had read its request before the caller left.
			expected: `${normal.length} + ≤ ${hangUps.length}`,
			found: runExecutions.reduce((sum, [, executions]) => sum + executions.length, 0),
			lost: broken.length + normalWithoutSuccess.length,
			duplicated,
			rejected: tally.rejected,
			forgedAccepted: null,
			serverErrors: tally.serverErrors,
			seconds: seconds(elapsedMs),
			notes:
				`${normal.length} normal turns (${normal.length - broken.length} complete and correct), ${hangUps.length} hung up ` +
				`(${hungUpBeforeHeaders} before the answer's headers, the rest after 0–1.2 s or 1–3 frames), concurrency 10, after a warm-up of ${warmUp.length}; ` +
				(clientStuck ? `${clientStuck} turns whose client (the test's own fetch) never settled, given up after 60 s; ` : '') +
				`executions of hung-up turns: ${describeCounts(hangUpStatuses)}, ${hangUpsWithoutExecution} without one` +
				(bodiless.length ? ` (and ${bodiless.length} executions without a turn, ${describeCounts(countStatuses(bodiless))}: n8n failed to read the body of a caller already gone)` : '') +
				'; ' +
				`main process RSS (VmRSS): ${Math.round(firstSample)} MiB after a warm-up of ${warmUp.length} turns, ${Math.round(baseline)} MiB after a forced full GC (the baseline), ` +
				`peak ${Math.round(peak)} MiB during the run, ${Math.round(after)} MiB after the run and a forced full GC (${settleSeconds} s) ` +
				`(${signed(growth)}); V8 heap used after GC ${heapBaseline.toFixed(1)} → ${heapAfter.toFixed(1)} MiB (${signed(heapGrowth)}), ` +
				`external ${MiB(before.heap.external).toFixed(1)} → ${MiB(afterRun.heap.external).toFixed(1)} MiB; ` +
				`load averages (1/5/15 min) ${loadBefore} at the baseline, ${loadAverages()} after; all executions: ${describeCounts(countStatuses(all))}`,
		});
		expect(broken.map((outcome) => ({ turn: outcome.turn.turnId, status: outcome.answer?.status, frames: outcome.answer?.frames.map((frame) => frame.data) }))).toEqual([]);
		expect(normalWithoutSuccess.map((outcome) => outcome.turn.turnId)).toEqual([]);
		expect(tally.serverErrors).toBe(0);
		expect(duplicated).toBe(0);
		expect(bodiless).toEqual([]);
		// The criterion: n8n's RSS back within 10% of its starting level after the run. And
		// V8's heap, where anything the trigger retained per turn would show first (RSS is mostly
		// native memory: isolates and glibc's heap).
		expect(after).toBeLessThanOrEqual(baseline * 1.1);
		expect(heapAfter).toBeLessThanOrEqual(heapBaseline * 1.1);
	});

	scenario(`load: ${SIZES.load} Agntix deliveries, 10% re-sent copies, concurrency 20`, async () => {
		const outcome = await runLoad(n8n, {
			scenario: 'load (regular)',
			workflowId: WORKFLOWS.load.id,
			url: url('rel-load'),
			secret: SECRET,
			total: SIZES.load,
			copyShare: 0.1,
			concurrency: 20,
			seed: SEED,
			settleMs: 180_000,
		});
		expectExactlyOnce(outcome);
		expect(outcome.statuses).toEqual({ success: outcome.unique });
	});

	scenario(`hostile input: ${SIZES.hostile} generated requests, then audit cases on workflows of their own`, async () => {
		const port = n8n.port;
		const path = (name: string) => `/webhook/${triggerPath(name)}`;
		const ctx: HostileContext = {
			port,
			paths: { agntix: path('rel-h-agntix'), layercode: path('rel-h-layercode'), speaknode: path('rel-h-speaknode'), jwt: path('rel-h-jwt') },
			secret: SECRET,
			jwt: JWT,
			speaknodeHeader: SPEAKNODE_HEADER,
		};
		const cases = hostileCases(SIZES.hostile, seededRandom(SEED));
		const started = performance.now();
		// Each case draws from its own seeded source, so the bytes do not depend on timing.
		const results = await pool(cases, 20, (entry, index) => entry.send(ctx, seededRandom(SEED * 7919 + index)));
		const sentMs = performance.now() - started;
		await sleep(3_000); // anything that slipped through has its execution by now
		const executions = await n8n.executions(WORKFLOWS.hostile.id);
		const elapsedMs = performance.now() - started;

		// Audit #9 and #2, on their own workflows (audit.ts): not part of the figures row's counts.
		const injection = await runInjection(n8n, WORKFLOWS.injection.id, SECRET, openAiStub, SIZES.injectionTurns);
		const pathSteps = await runPathSteps(n8n, WORKFLOWS.transcript.id, SECRET, platformStub);
		const stillHealthy = await healthy();

		// Per category: how n8n answered.
		const byCategory = new Map<string, HostileResult[]>();
		for (const item of results) byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item]);
		const lines = [...byCategory].map(([category, items]) => {
			const statuses = countBy(items.map((item) => item.status));
			return `${String(items.length).padStart(5)}  ${category}: ${describeCounts(statuses)}`;
		});
		console.log(`[reliability] hostile input by category (answer status: count; 0 = no answer)\n${lines.join('\n')}`);
		const tally = tallyStatuses(results.map((item) => item.status));
		// A 2xx is an acceptance unless the trigger said it ignored the event (audit #4's cases).
		const ignored = (item: HostileResult) => item.status >= 200 && item.status < 300 && item.detail.includes('"status":"ignored"');
		const accepted = results.filter((item) => item.status >= 200 && item.status < 300 && !ignored(item));
		// n8n's own answer to a body it cannot read (UNREADABLE_BODIES): before any node, nothing runs.
		const n8nUnreadable = results.filter(
			(item) => UNREADABLE_BODIES.has(item.category) && item.status === 500 && item.detail.includes('There was a problem executing the workflow'),
		);
		const bad = results.filter((item) => (item.status >= 500 && !n8nUnreadable.includes(item)) || accepted.includes(item));
		const badCategories = [...new Set(bad.map((item) => `${item.category} → ${item.status} ${item.detail.slice(0, 80)}`))];
		const errorMessages = new Set<string>();
		for (const execution of executions.slice(0, 20)) {
			const detail = await n8n.executionData(execution.id).catch(() => undefined);
			const message = detail?.data?.resultData?.error?.message;
			if (message) errorMessages.add(message);
		}
		const answered = countBy(results.filter((item) => item.status !== 0).map((item) => item.status));
		// Audit #3: ~15 KiB signature headers, refused whole past 32 entries.
		const manyEntries = results.filter((item) => item.finding === 3);
		const tooMany = manyEntries.filter((item) => item.status === 401 && item.detail.includes('more than 32 entries'));
		const singleForged = results.filter((item) => ['forged signature', 'Layercode: forged signature', 'SpeakNode HMAC: forged'].includes(item.category));
		const ms = (items: HostileResult[]) => (items.length ? `${median(items.map((item) => item.ms)).toFixed(1)} ms` : 'none sent');
		// Audit #4: Object.prototype names as event names, genuinely signed.
		const prototypeNames = results.filter((item) => item.finding === 4);
		const prototypeNotIgnored = prototypeNames.filter((item) => !(item.status === 200 && ignored(item)));
		recordFigures({
			scenario: 'hostile input (regular)',
			requests: results.length,
			expected: 0,
			found: executions.length,
			lost: null,
			duplicated: null,
			rejected: tally.rejected,
			forgedAccepted: accepted.length,
			serverErrors: tally.serverErrors,
			seconds: seconds(elapsedMs),
			notes:
				`${byCategory.size} kinds of attack on 4 triggers (Svix, Layercode, SpeakNode HMAC, Bearer JWT) and on the HTTP layer, seed ${SEED}, concurrency 20, ` +
				`${Math.round(results.length / (sentMs / 1000))} requests/s; answers by status: ${describeCounts(answered)}; ` +
				`${tally.noAnswer} without an answer (callers that hung up mid-body, connections n8n reset); ` +
				`${results.filter(ignored).length} answered 200 "ignored" (genuinely signed, event not listened to); ` +
				`${n8nUnreadable.length} answered by n8n's own 500 before the trigger ran (broken gzip, over its payload limit, gzip bomb); ` +
				`finding 3 (~15 KiB signature headers of entries, forged): ${manyEntries.length} sent, ${tooMany.length} refused 401 as more than 32 entries, ` +
				`median answer ${ms(manyEntries)} (single forged signatures in the same run: ${ms(singleForged)}); ` +
				`finding 4 (events ${PROTOTYPE_LIST} genuinely signed): ${prototypeNames.length} sent, ${prototypeNames.length - prototypeNotIgnored.length} answered 200 "ignored"; ` +
				`${describeInjection(injection, openAiStub)}; ${describePathSteps(pathSteps)}; ` +
				`n8n healthy afterwards: ${stillHealthy ? 'yes' : 'NO'}` +
				(badCategories.length ? `; accepted or 5xx: ${badCategories.join('; ')}` : '') +
				(executions.length ? `; executions started: ${describeCounts(countStatuses(executions))}, errors: ${[...errorMessages].join(' | ')}` : ''),
		});
		expect(badCategories).toEqual([]);
		expect(results.filter((item) => item.detail.includes(SECRET)).map((item) => item.category)).toEqual([]);
		expect(executions.map((execution) => execution.id)).toEqual([]);
		expect(manyEntries.filter((item) => item.status < 400 || item.status >= 500).map((item) => `${item.category} → ${item.status}`)).toEqual([]);
		expect(manyEntries.length - tooMany.length).toBe(0);
		expect(prototypeNotIgnored.map((item) => `${item.category} → ${item.status} ${item.detail}`)).toEqual([]);
		expect(injection.broken).toEqual([]);
		expect(injection.injectedAccepted).toBe(0);
		expect(pathSteps.leftApiPath).toEqual([]);
		expect(pathSteps.controlRequests).toBe(1);
		expect(pathSteps.problems).toEqual([]);
		expect(stillHealthy).toBe(true);
	});

	scenario(`restart: n8n stopped and started while an at-least-once sender delivers ${SIZES.restart}`, async () => {
		const random = seededRandom(SEED + 2);
		const deliveries = Array.from({ length: SIZES.restart }, (_, index) => agntixDelivery(`restart-${process.pid}`, index));
		const target = url('rel-restart');
		let acknowledged = 0;
		let restart: Promise<void> | undefined;
		let downAt = 0;
		let upAt = 0;
		const restartAfter = Math.round(deliveries.length / 5);
		const started = performance.now();
		// Paced (4 lanes, a pause after each delivery) so that sending spans the whole restart.
		const outcomes: SenderOutcome[] = await pool(deliveries, 4, async (delivery) => {
			const outcome = await deliverAtLeastOnce(target, delivery, SECRET, {
				giveUpAfterMs: 300_000,
				random,
				onAttempt(answer) {
					if (answer.status >= 200 && answer.status < 300) acknowledged++;
					if (!restart && acknowledged >= restartAfter) {
						downAt = performance.now();
						restart = n8n.restart().then(() => {
							upAt = performance.now();
						});
					}
				},
			});
			await sleep(PACE_MS);
			return outcome;
		});
		await restart;
		// Svix re-sends a delivery whose answer it did not get: copies of deliveries acknowledged
		// before the restart, now after it, must not run again (the ids outlive the process in static data).
		const early = outcomes.slice(0, Math.min(30, restartAfter)).map((outcome) => outcome.delivery);
		const reSends = await pool(early, 5, (delivery) => post(target, delivery.body, svixHeaders(delivery, SECRET)));
		await settleExecutions(n8n, WORKFLOWS.restart.id, deliveries.length, 120_000);
		const elapsedMs = performance.now() - started;
		const census = await executionCensus(n8n, WORKFLOWS.restart.id);
		const { lost, duplicated } = compare(
			deliveries.map((delivery) => delivery.id),
			census,
		);
		const attempts = outcomes.flatMap((outcome) => outcome.attempts);
		const tally = tallyStatuses([...attempts, ...reSends].map((answer) => answer.status));
		const failures = attempts.filter((answer) => answer.status < 200 || answer.status >= 300);
		const failureKinds = countBy(failures.map((answer) => (answer.status === 0 ? (answer.error ?? 'no answer') : answer.status)));
		const gaveUp = outcomes.filter((outcome) => !outcome.acknowledged).length;
		// The operator's remedy for executions n8n's shutdown cut off: its Retry.
		const crashed = census.all.filter((execution) => execution.status === 'crashed');
		const retried = await pool(crashed, 1, async (execution) => {
			try {
				return (await n8n.retryExecution(execution.id)).status as string;
			} catch (error) {
				return `retry refused: ${(error as Error).message.slice(0, 100)}`;
			}
		});
		// A duplicate is n8n's doing only if an earlier attempt of that delivery was not acknowledged
		// after n8n had already started its execution: n8n 2.41.1, shutting down, can start an
		// execution and then answer 500 ("Evaluator disposed": it evaluates the response after
		// starting the run) or close the connection without an answer (the execution then ends
		// crashed). The sender was never told "accepted", so its retry is right: at-least-once.
		const outcomeOf = new Map(outcomes.map((outcome) => [outcome.delivery.id, outcome]));
		const duplicateIds = [...census.byDelivery].filter(([, executions]) => executions.length > 1).map(([id]) => id);
		// (A refused connection never reached n8n, so it cannot have started anything.)
		const unacknowledgedFirst = (id: string) =>
			outcomeOf.get(id)?.attempts.some((answer) => answer.status >= 500 || (answer.status === 0 && answer.error !== 'ECONNREFUSED'));
		const afterServerError = duplicateIds.filter((id) => outcomeOf.get(id)?.attempts.some((answer) => answer.status >= 500));
		const afterNoAnswer = duplicateIds.filter((id) => !afterServerError.includes(id) && unacknowledgedFirst(id));
		const serverErrorTexts = [...new Set(attempts.filter((answer) => answer.status >= 500).map((answer) => `${answer.status} ${answer.text.slice(0, 160)}`))];
		recordFigures({
			scenario: 'restart (regular)',
			requests: attempts.length + reSends.length,
			expected: deliveries.length,
			found: census.all.length,
			lost: lost.length,
			duplicated,
			rejected: tally.rejected,
			forgedAccepted: null,
			serverErrors: tally.serverErrors,
			seconds: seconds(elapsedMs),
			notes:
				`restart (SIGTERM, start, webhooks registered) after ${restartAfter} acknowledgements took ${seconds(upAt - downAt)} s; ` +
				`the sender (4 lanes, ${PACE_MS} ms between deliveries, backoff 0.2–3 s) retried ${failures.length} times: ${describeCounts(failureKinds)}; ` +
				`at most ${Math.max(...outcomes.map((outcome) => outcome.attempts.length))} attempts for one delivery, ${gaveUp} given up; ` +
				`${reSends.length} re-sends after the restart of deliveries acknowledged before it: ${describeCounts(countBy(reSends.map((answer) => String(answer.json?.status ?? answer.status))))}; ` +
				`execution statuses: ${describeCounts(census.statuses)}` +
				(crashed.length ? ` (crashed: acknowledged, then cut off by n8n's own shutdown; n8n's Retry on them: ${describeCounts(countBy(retried))})` : '') +
				(duplicateIds.length
					? `; ${duplicateIds.length} delivery ran twice (executions ${duplicateIds.map((id) => describeCounts(countStatuses(census.byDelivery.get(id) ?? []))).join(' / ')}): ` +
						`${afterServerError.length} after n8n had answered an attempt with a 5xx while shutting down, ${afterNoAnswer.length} after n8n closed the connection without an answer while shutting down ` +
						`(in both the execution had started; the sender was never acknowledged, so it retried)`
					: '') +
				(serverErrorTexts.length ? `; the 5xx came from n8n shutting down: ${serverErrorTexts.map((text) => text.replace(/,"stacktrace".*$/, '')).slice(0, 3).join(' | ')}` : ''),
		});
		expect(gaveUp).toBe(0);
		expect(lost).toEqual([]);
		// No duplicate the trigger could have prevented: a delivery whose every attempt n8n answered ran once.
		expect(duplicateIds.filter((id) => !unacknowledgedFirst(id))).toEqual([]);
		expect(census.withoutDelivery).toEqual([]);
		expect(reSends.map((answer) => answer.json?.status)).toEqual(early.map(() => 'duplicate'));
		// Not asserted: the statuses. n8n 2.41.1's own shutdown can cut off an execution it had
		// already acknowledged (it releases its database while executions still finish; at the next
		// start it marks them crashed or amends them from its event log): reported in the notes.
		expect(census.all.filter((execution) => !['success', 'crashed'].includes(execution.status)).map((execution) => `${execution.id}:${execution.status}`)).toEqual([]);
	});
});
