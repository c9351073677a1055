// `npm run bench:turn [-- --rounds 200 --warmup 20 --gap-ms 100 --decompose --isolates --env NAME=VALUE
//                        --concurrency 10 --concurrent-rounds N --matrix --topology single|scaled|both]`
//
// One run, one n8n (regular mode, SQLite; or with --topology the scaled topology of
// docs/deployment.md: nginx, two webhook processes, two workers, Redis, PostgreSQL): the latency of a live Layercode turn answered by
// Voice Agent Trigger → Speak → End Turn, beside n8n's own streaming answer to the same request
// (Webhook, Respond: Streaming → Respond to Webhook, text, streaming on). Both receive the same
// Layercode `message` body. Measured from just before `fetch` (performance.now()) to:
//  - first: the first `response.tts` SSE frame complete (ours, parsed by the SSE reader the e2e
//    tests use) / the first complete `{"type":"item",…}` line (n8n's JSON-lines framing);
//  - end:   the end of the response body (ours: after `response.end`; n8n: after its `end` line,
//    when n8n ends the response as the execution finishes).
// Ours also verifies the layercode-signature HMAC (the credential is read for every request) and
// re-encodes each n8n chunk line as an SSE frame; the baseline checks no signature. That
// difference is what is being compared. Method (DESIGN.md "Measuring"): warm both up, then
// alternate them in one run (the order rotating every round), paced, `accept-encoding: identity`,
// one keep-alive connection pool for both; report p50/p95 and ours/baseline ratios. The raw
// samples go to .bench/turn-<timestamp>.json. It is a measurement, not a test: exit 0 whether or
// not the 5 % target is met (non-zero only if n8n cannot be started or answers wrongly throughout).
//
// --decompose adds two diagnostic workflows to the same rotation, to attribute a gap:
//   "ours, no signature": the same three nodes with the trigger's Verification set to None
//     (no credential read, no HMAC): ours minus this = the cost of verification;
//   "ours, Speak only": Trigger → Speak (the bridge sends response.end when n8n ends the
//     response): two nodes like the baseline, so ours minus this = the End Turn node.
// --isolates turns on n8n's Prometheus metrics and, after the measurement, counts the expression
// engine's V8 isolates each workflow acquires per request. Under n8n 2.x's default `vm` engine an
// isolate is built for every acquisition beyond its warm pool of one and disposed on release; n8n
// skips the webhook-phase isolate only when the start node is its own Webhook node, and
// getCredentials() in a webhook acquires one more. --env N8N_EXPRESSION_ENGINE=legacy compares
// without isolates.
// --concurrency N (N > 1) adds a concurrent phase after the paced one: each of --concurrent-rounds
// rounds (default --rounds) sends N turns at once to ours, waits for all of them, then N at once to
// native (the order alternating every round), and reports first frame p50/p95 per contender and
// the ratio, under the same load shape for both.
// --matrix runs all of the above (with --isolates) once per n8n setting of issue 13 (scripts/bench/
// settings.ts), each on its own fresh n8n, one after the other, and ends with one table (plus one
// for the concurrent phase when --concurrency is given); --env then applies to every setting. Raw
// samples of all settings go to .bench/turn-matrix-<timestamp>.json.
// --topology scaled measures through nginx in the scaled topology (the harness's mode 'scaled');
// `both` measures a single n8n first, then the scaled topology, and ends with their first-frame
// p50/p95 side by side. n8n's CPU per turn is not read there (it is spread over five processes),
// and --isolates/--matrix stay single-n8n measurements.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { startN8n, type N8n } from '../test/e2e/harness';
import { chain, node, secretCredential, triggerNode, triggerPath, VOICE_AGENT_TYPE } from '../test/e2e/workflows';
import { signLayercode } from '../test/support/sign';
import { readTurn } from '../test/support/sse';
import { runWithConcurrency } from './bench/concurrency';
import { cpuMs, findN8nPid, isolateCounters, n8nVersion, otherN8nProcesses } from './bench/n8n-process';
import { describeEnv, optionOrUsage, parseCount, parseEnvPairs, parseTopology, type Topology } from './bench/options';
import { settingEnv, TURN_MATRIX, type N8nSetting } from './bench/settings';
import { percentile, ratioInterval, spread, type Spread } from './bench/statistics';

const ROOT = resolve(__dirname, '..', '..');
const SECRET = 'layercode-bench-signing-secret';
const SAY = 'Hello, how can I help?';
const TARGET_RATIO = 1.05;

// ---------------------------------------------------------------------------------------------
// Options

function usage(problem: string): never {
	console.error(`${problem}

usage: npm run bench:turn -- [--rounds N (200)] [--warmup N (20)] [--gap-ms MS (100)] [--decompose]
                             [--env NAME=VALUE]…   (extra n8n environment, e.g. --env N8N_EXPRESSION_ENGINE=legacy)
                             [--isolates]          (N8N_METRICS=true; afterwards, expression isolates acquired per request)
                             [--concurrency N (1)] (N > 1: also a phase of N turns at once, ours and native alternately)
                             [--concurrent-rounds N (--rounds)]
                             [--matrix]            (every n8n setting of issue 13 on its own fresh n8n, one table; implies --isolates)
                             [--topology single|scaled|both (single)]  (scaled: nginx, 2 webhook processes, 2 workers; both: side by side)`);
	process.exit(2);
}

const { values: args } = parseArgs({
	options: {
		rounds: { type: 'string', default: '200' },
		warmup: { type: 'string', default: '20' },
		'gap-ms': { type: 'string', default: '100' },
		decompose: { type: 'boolean', default: false },
		env: { type: 'string', multiple: true, default: [] },
		isolates: { type: 'boolean', default: false },
		concurrency: { type: 'string', default: '1' },
		'concurrent-rounds': { type: 'string' },
		matrix: { type: 'boolean', default: false },
		topology: { type: 'string', default: 'single' },
		help: { type: 'boolean', default: false },
	},
});
if (args.help) usage('Measures a Voice Agent turn beside n8n\'s native streaming.');
const option = <T>(read: () => T): T => optionOrUsage(read, usage);
const ROUNDS = option(() => parseCount('rounds', args.rounds, 1));
const WARMUP = option(() => parseCount('warmup', args.warmup, 0));
const GAP_MS = option(() => parseCount('gap-ms', args['gap-ms'], 0));
const DECOMPOSE = args.decompose;
const MATRIX = args.matrix;
const ISOLATES = args.isolates || MATRIX;
const CONCURRENCY = option(() => parseCount('concurrency', args.concurrency, 1));
const CONCURRENT_ROUNDS = option(() => parseCount('concurrent-rounds', args['concurrent-rounds'] ?? String(ROUNDS), 1));
/** --env, on top of every setting. */
const EXTRA_ENV = option(() => parseEnvPairs(args.env ?? []));
const OWN_ENV: Record<string, string> = ISOLATES ? { N8N_METRICS: 'true' } : {};
const TOPOLOGIES = option(() => parseTopology(args.topology ?? 'single'));
if (TOPOLOGIES.includes('scaled') && (ISOLATES || MATRIX)) usage('--isolates and --matrix measure a single n8n: leave them out with --topology scaled or both');
const TOPOLOGY_LABEL: Record<Topology, string> = {
	single: 'regular mode, SQLite',
	scaled: 'scaled topology: nginx, 2 webhook processes, 2 workers, Redis, PostgreSQL',
};
const ISOLATE_PROBE_REQUESTS = 10;

// ---------------------------------------------------------------------------------------------
// Workflows

const speak = (name: string) => node(name, VOICE_AGENT_TYPE, { resource: 'turn', operation: 'speak', text: SAY });
const endTurn = () => node('End Turn', VOICE_AGENT_TYPE, { resource: 'turn', operation: 'endTurn' });
const layercodeTrigger = (name: string, extra: Record<string, unknown> = {}) =>
	triggerNode(name, { platform: 'layercode', triggerOptions: {}, ...extra });

const NATIVE_PATH = 'bench-native-stream';
const nativeWebhook = {
	id: 'node-native-webhook',
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0] as [number, number],
	// Respond: Streaming ("Returns data in real time from streaming enabled nodes").
	parameters: { httpMethod: 'POST', path: NATIVE_PATH, responseMode: 'streaming', options: {} },
	webhookId: 'bench-native-webhook-id',
};
// Respond to Webhook 1.5 streams when the webhook streams and options.enableStreaming is on
// (its default): sendChunk begin / item (the text) / end, and no sendResponse.
const nativeRespond = node(
	'Respond to Webhook',
	'n8n-nodes-base.respondToWebhook',
	{ respondWith: 'text', responseBody: SAY, options: { enableStreaming: true } },
	1.5,
);

type Kind = 'ours' | 'native' | 'oursNoSig' | 'oursSpeakOnly';

interface Contender {
	kind: Kind;
	label: string;
	workflow: ReturnType<typeof chain>;
	url: (n8n: N8n) => string;
	framing: 'sse' | 'json-lines';
	signed: boolean;
}

const CONTENDERS: Contender[] = [
	{
		kind: 'ours',
		label: 'Voice Agent Trigger (Layercode, signed) → Speak → End Turn',
		workflow: chain('wfBenchOurs0001', [layercodeTrigger('bench-ours'), speak('Speak'), endTurn()]),
		url: (n8n) => n8n.webhookUrl(triggerPath('bench-ours')),
		framing: 'sse',
		signed: true,
	},
	{
		kind: 'native',
		label: 'n8n\'s Webhook (Respond: Streaming) → Respond to Webhook (text, streaming)',
		workflow: chain('wfBenchNative01', [nativeWebhook, nativeRespond]),
		url: (n8n) => n8n.webhookUrl(NATIVE_PATH),
		framing: 'json-lines',
		signed: false,
	},
	...(DECOMPOSE
		? ([
				{
					kind: 'oursNoSig',
					label: 'diagnostic: ours with Verification None',
					workflow: chain('wfBenchNoSig001', [
						layercodeTrigger('bench-nosig', { verification: 'none' }),
						speak('Speak'),
						endTurn(),
					]),
					url: (n8n) => n8n.webhookUrl(triggerPath('bench-nosig')),
					framing: 'sse',
					signed: false,
				},
				{
					kind: 'oursSpeakOnly',
					label: 'diagnostic: Voice Agent Trigger → Speak (no End Turn node)',
					workflow: chain('wfBenchSpeak001', [layercodeTrigger('bench-speak'), speak('Speak')]),
					url: (n8n) => n8n.webhookUrl(triggerPath('bench-speak')),
					framing: 'sse',
					signed: true,
				},
			] satisfies Contender[])
		: []),
];

// ---------------------------------------------------------------------------------------------
// Requests

/** The Layercode `message` fixture with a fresh turn id: the same body goes to every contender in a round. */
const FIXTURE = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'layercode', 'message.json'), 'utf8')) as Record<
	string,
	unknown
>;
const bodyFor = (round: string) => JSON.stringify({ ...FIXTURE, turn_id: `turn_bench_${process.pid}_${round}` });

interface Sample {
	kind: Kind;
	/** `concurrent…`: the --concurrency phase, a whole batch of the same contender at once. */
	phase: 'warmup' | 'measure' | 'concurrent-warmup' | 'concurrent';
	round: number;
	/** Position in the round's order (0 = first). */
	slot: number;
	/** The concurrent phase: which of the batch's requests (0 … concurrency - 1). */
	inBatch?: number;
	/** ms from sending to the first response.tts frame / first item line; null if none arrived. */
	firstMs: number | null;
	/** ms from sending to the end of the body. */
	endMs: number;
	status: number;
	bytes: number;
	/**
	 * n8n main process CPU (user + system) from this request's start to the next request's start, ms
	 * (clock-tick resolution); in the concurrent phase the batch's CPU shared equally among its requests.
	 */
	n8nCpuMs: number | null;
	/** Why the answer was not what the workflow should say; such samples are left out of the statistics. */
	error?: string;
}

const ms = (value: number) => Math.round(value * 100) / 100;

/** Ours, read the way a voice platform reads it (the e2e tests' SSE reader, arrival-timed). */
async function timeSse(url: string, body: string, headers: Record<string, string>, turnId: string) {
	const answer = await readTurn(url, body, headers);
	const first = answer.frames.find((frame) => frame.data.type === 'response.tts');
	const types = answer.frames.map((frame) => String(frame.data.type)).join(',');
	let error: string | undefined;
	if (answer.status !== 200) error = `status ${answer.status}: ${answer.text.slice(0, 200)}`;
	else if (types !== 'response.tts,response.end') error = `frames ${types || 'none'}: ${answer.text.slice(0, 200)}`;
	else if (first?.data.content !== SAY || answer.frames.some((frame) => frame.data.turn_id !== turnId)) {
		error = `unexpected frames: ${answer.text.slice(0, 200)}`;
	}
	return { status: answer.status, firstMs: first ? first.at : null, endMs: answer.endedAt, bytes: Buffer.byteLength(answer.text), error };
}

/** n8n's JSON-lines stream, read with a line reader shaped like readTurn (same fetch, same decoding). */
async function timeJsonLines(url: string, body: string) {
	const started = performance.now();
	const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'accept-encoding': 'identity' },
		body,
	});
	const decoder = new TextDecoder();
	let pending = '';
	let text = '';
	let firstMs: number | null = null;
	const lines: Array<{ type?: unknown; content?: unknown }> = [];
	for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
		const part = decoder.decode(chunk, { stream: true });
		text += part;
		pending += part;
		let newline = pending.indexOf('\n');
		while (newline !== -1) {
			const line = pending.slice(0, newline);
			pending = pending.slice(newline + 1);
			newline = pending.indexOf('\n');
			if (line.trim() === '') continue;
			try {
				const parsed = JSON.parse(line) as { type?: unknown; content?: unknown };
				lines.push(parsed);
				if (firstMs === null && parsed.type === 'item') firstMs = elapsed();
			} catch {
				lines.push({ type: `garbage: ${line.slice(0, 80)}` });
			}
		}
	}
	const endMs = elapsed();
	const types = lines.map((line) => String(line.type)).join(',');
	let error: string | undefined;
	if (response.status !== 200) error = `status ${response.status}: ${text.slice(0, 200)}`;
	else if (types !== 'begin,item,end' || lines[1].content !== SAY) error = `lines ${types}: ${text.slice(0, 200)}`;
	return { status: response.status, firstMs, endMs, bytes: Buffer.byteLength(text), error };
}

async function send(contender: Contender, n8n: N8n, round: string) {
	const body = bodyFor(round);
	if (contender.framing === 'json-lines') return timeJsonLines(contender.url(n8n), body);
	const headers = contender.signed ? signLayercode(body, SECRET) : {};
	return timeSse(contender.url(n8n), body, headers, JSON.parse(body).turn_id as string);
}

// ---------------------------------------------------------------------------------------------
// Statistics

interface Summary {
	n: number;
	errors: number;
	first: Spread;
	end: Spread;
	cpuMsPerRequest: number | null;
}

function summarise(samples: Sample[]): Summary {
	const ok = samples.filter((sample) => !sample.error && sample.firstMs !== null);
	const cpu = samples.map((sample) => sample.n8nCpuMs).filter((value): value is number => value !== null);
	return {
		n: ok.length,
		errors: samples.length - ok.length,
		first: spread(ok.map((sample) => sample.firstMs as number)),
		end: spread(ok.map((sample) => sample.endMs)),
		cpuMsPerRequest: cpu.length > 0 ? cpu.reduce((a, b) => a + b, 0) / cpu.length : null,
	};
}

/** Median of per-round differences (contender − baseline, same round): pairs cancel slow drifts in load. */
function pairedMedianDiff(samples: Sample[], kind: Kind, metric: 'firstMs' | 'endMs'): number {
	const byRound = (which: Kind) =>
		new Map(
			samples
				.filter((sample) => sample.kind === which && !sample.error && sample[metric] !== null)
				.map((sample) => [sample.round, sample[metric] as number]),
		);
	const mine = byRound(kind);
	const base = byRound('native');
	const diffs = [...mine].filter(([round]) => base.has(round)).map(([round, value]) => value - (base.get(round) as number));
	return percentile(diffs, 50);
}

// ---------------------------------------------------------------------------------------------
// Output helpers

const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ci = ([low, high]: [number, number], digits = 3) => `${num(low, digits)}–${num(high, digits)}`;
const signed = (value: number) => (value >= 0 ? `+${value.toFixed(1)}` : value.toFixed(1));
const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
const loads = () => loadavg().map((value) => value.toFixed(2)).join(' / ');
const sleep = (delay: number) => new Promise<void>((done) => setTimeout(done, delay));

// ---------------------------------------------------------------------------------------------
// The concurrent phase

interface ConcurrentSummary {
	concurrency: number;
	rounds: number;
	ours: Summary;
	native: Summary;
	firstP50: { ratio: number; ci95: [number, number] };
	firstP95: { ratio: number; ci95: [number, number] };
}

/**
 * --concurrency: each round, `concurrency` turns at once to one contender, all awaited, then as many
 * at once to the other (who goes first alternates). n8n's CPU over a batch (to the next batch's
 * start) is shared equally among its requests.
 */
async function measureConcurrently(n8n: N8n, pid: number | null, samples: Sample[]): Promise<ConcurrentSummary> {
	const pair = CONTENDERS.filter((contender) => contender.kind === 'ours' || contender.kind === 'native');
	let previous: { batch: Sample[]; cpuAtStart: number | null } | undefined;
	const closePrevious = (cpuNow: number | null) => {
		if (!previous || previous.cpuAtStart === null || cpuNow === null) return;
		const share = (cpuNow - previous.cpuAtStart) / previous.batch.length;
		for (const sample of previous.batch) sample.n8nCpuMs = share;
	};
	const run = async (phase: 'concurrent-warmup' | 'concurrent', round: number) => {
		const order = round % 2 === 0 ? pair : [...pair].reverse();
		for (const [slot, contender] of order.entries()) {
			const cpuAtStart = cpuMs(pid);
			closePrevious(cpuAtStart);
			const batch = await runWithConcurrency(CONCURRENCY, CONCURRENCY, async (inBatch): Promise<Sample> => {
				const base = { kind: contender.kind, phase, round, slot, inBatch, n8nCpuMs: null };
				try {
					return { ...base, ...(await send(contender, n8n, `${phase}_${round}_${inBatch}`)) };
				} catch (error) {
					return { ...base, firstMs: null, endMs: NaN, status: 0, bytes: 0, error: String(error) };
				}
			});
			samples.push(...batch);
			previous = { batch, cpuAtStart };
			await sleep(GAP_MS);
		}
	};
	// Two warm-up rounds (each contender once first): the first bursts build what a paced turn never needs.
	if (WARMUP > 0) for (let round = 0; round < 2; round++) await run('concurrent-warmup', round);
	const startedAt = performance.now();
	for (let round = 0; round < CONCURRENT_ROUNDS; round++) await run('concurrent', round);
	closePrevious(cpuMs(pid));
	const seconds = (performance.now() - startedAt) / 1000;

	const measured = samples.filter((sample) => sample.phase === 'concurrent');
	const of = (kind: Kind) => measured.filter((sample) => sample.kind === kind);
	const firsts = (kind: Kind) => of(kind).filter((sample) => !sample.error && sample.firstMs !== null).map((sample) => sample.firstMs as number);
	const ours = summarise(of('ours'));
	const native = summarise(of('native'));
	const result: ConcurrentSummary = {
		concurrency: CONCURRENCY,
		rounds: CONCURRENT_ROUNDS,
		ours,
		native,
		firstP50: { ratio: ours.first.p50 / native.first.p50, ci95: ratioInterval(firsts('ours'), firsts('native'), 50) },
		firstP95: { ratio: ours.first.p95 / native.first.p95, ci95: ratioInterval(firsts('ours'), firsts('native'), 95) },
	};
	console.log(
		`\nconcurrent: ${CONCURRENT_ROUNDS} rounds of ${CONCURRENCY} turns at once to ours, then ${CONCURRENCY} at once to native ` +
			`(order alternating), in ${seconds.toFixed(0)} s; load ${loads()}`,
	);
	console.log(`${pad('', 16)}${pad('n', 6)}${pad('first p50', 11)}${pad('first p95', 11)}${pad('end p50', 10)}${pad('end p95', 10)}n8n CPU/req`);
	for (const [kind, s] of [['ours', ours], ['native', native]] as const) {
		console.log(
			`${pad(kind, 16)}${pad(String(s.n), 6)}${pad(num(s.first.p50), 11)}${pad(num(s.first.p95), 11)}${pad(num(s.end.p50), 10)}${pad(num(s.end.p95), 10)}` +
				`${s.cpuMsPerRequest === null ? 'n/a' : `${s.cpuMsPerRequest.toFixed(1)} ms`}${s.errors ? `   (${s.errors} wrong answers left out)` : ''}`,
		);
	}
	console.log(
		`  ours / native, first frame: p50 ${result.firstP50.ratio.toFixed(3)} (95 % CI ${ci(result.firstP50.ci95)})   ` +
			`p95 ${result.firstP95.ratio.toFixed(3)} (95 % CI ${ci(result.firstP95.ci95)})`,
	);
	return result;
}

// ---------------------------------------------------------------------------------------------
// One n8n setting

interface Verdict {
	kind: Kind;
	metric: string;
	percentile: string;
	ours: number;
	native: number;
	ratio: number;
	diffMs: number;
	ci95: [number, number];
	met: boolean;
}

/** What one setting's run found; also its part of the raw-samples file. */
interface SettingResult {
	setting: N8nSetting;
	n8nVersion: string;
	n8nEnv: Record<string, string>;
	startedAt: string;
	mode: 'regular' | 'scaled';
	clientNode: string;
	machine: { cores: number; model?: string; totalMemBytes: number };
	loadavg: { atStart: number[]; afterWarmup: number[]; atEnd: number[] };
	otherN8nProcesses: number;
	options: object;
	contenders: object[];
	workflows: object[];
	summaries: Record<Kind, Summary>;
	verdicts: Verdict[];
	isolates?: Record<string, { acquiredPerRequest: number; evaluatedPerRequest: number }>;
	concurrent?: ConcurrentSummary;
	samples: Sample[];
}

/** Starts a fresh n8n with this setting, measures (paced, then concurrent if asked, then isolates), prints, stops it. */
async function measureSetting(setting: N8nSetting, topology: Topology = 'single'): Promise<SettingResult> {
	const n8nEnv = settingEnv(OWN_ENV, setting, EXTRA_ENV);
	const startedAt = new Date();
	const loadAtStart = loadavg();
	console.log(`Starting n8n (${TOPOLOGY_LABEL[topology]}) with the benchmark workflows…`);

	const n8n = await startN8n({
		workflows: CONTENDERS.map((contender) => contender.workflow),
		credentials: [secretCredential(SECRET)],
		env: n8nEnv,
		mode: topology === 'scaled' ? 'scaled' : 'regular',
	});
	try {
		const version = await n8nVersion(n8n);
		// Scaled: the turn's CPU is spread over webhook processes and workers; the main's would say nothing.
		const pid = topology === 'single' ? findN8nPid(n8n.port) : null;
		const cpu = cpus();
		// Scaled: our own main and workers are n8n processes too (the count looks for start/worker).
		const ownInScaled = topology === 'scaled' ? [n8n.mainPid(), n8n.workerPid(0), n8n.workerPid(1)].filter((own) => own !== undefined).length : 0;
		const others = Math.max(0, otherN8nProcesses(pid) - ownInScaled);
		console.log(`\nn8n ${version} (${TOPOLOGY_LABEL[topology]}), started in ${(n8n.timings.totalMs / 1000).toFixed(1)} s; client Node ${process.version}`);
		console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; client and n8n share the cores`);
		console.log(`load average (1/5/15 min) at start: ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')}; after n8n started: ${loads()}`);
		console.log(`other n8n processes on this machine (start/worker, not ours): ${others}`);
		console.log(
			`n8n settings: ${describeEnv(n8nEnv)} (expression engine: ${n8nEnv.N8N_EXPRESSION_ENGINE ?? 'n8n\'s default, vm'})` +
				`${setting.note ? `: ${setting.note}` : ''}`,
		);
		console.log(
			`method: ${WARMUP} warm-up requests each (discarded), then ${ROUNDS} rounds of ${CONTENDERS.length} requests, ` +
				`order rotating every round, ${GAP_MS} ms pause after every request, accept-encoding: identity, keep-alive`,
		);
		console.log('  ours verifies the layercode-signature HMAC and re-encodes every n8n chunk as SSE; n8n\'s baseline checks no signature.');
		for (const contender of CONTENDERS) console.log(`  ${pad(`${contender.kind}:`, 15)}${contender.label}`);

		const samples: Sample[] = [];
		let previous: { sample: Sample; cpuAtStart: number | null } | undefined;
		const closePrevious = (cpuNow: number | null) => {
			if (previous && previous.cpuAtStart !== null && cpuNow !== null) previous.sample.n8nCpuMs = cpuNow - previous.cpuAtStart;
		};
		const run = async (phase: 'warmup' | 'measure', round: number) => {
			const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]);
			for (const [slot, contender] of order.entries()) {
				const cpuAtStart = cpuMs(pid);
				closePrevious(cpuAtStart);
				let sample: Sample;
				try {
					const result = await send(contender, n8n, `${phase}_${round}`);
					sample = { kind: contender.kind, phase, round, slot, ...result, n8nCpuMs: null };
				} catch (error) {
					sample = { kind: contender.kind, phase, round, slot, firstMs: null, endMs: NaN, status: 0, bytes: 0, n8nCpuMs: null, error: String(error) };
				}
				samples.push(sample);
				previous = { sample, cpuAtStart };
				await sleep(GAP_MS);
			}
		};

		const measureStartedAt = performance.now();
		for (let round = 0; round < WARMUP; round++) await run('warmup', round);
		const warmErrors = samples.filter((sample) => sample.error);
		if (WARMUP > 0 && warmErrors.length === samples.length) {
			throw new Error(`every warm-up request failed; the first: ${warmErrors[0].kind}: ${warmErrors[0].error}\n--- n8n log ---\n${n8n.log().slice(-4000)}`);
		}
		const loadAfterWarmup = loadavg();
		for (let round = 0; round < ROUNDS; round++) {
			await run('measure', round);
			if ((round + 1) % 50 === 0 && round + 1 < ROUNDS) console.log(`  … ${round + 1}/${ROUNDS} rounds, load ${loads()}`);
		}
		closePrevious(cpuMs(pid));
		const loadAtEnd = loadavg();
		const seconds = (performance.now() - measureStartedAt) / 1000;

		const measured = samples.filter((sample) => sample.phase === 'measure');
		const summaries = Object.fromEntries(
			CONTENDERS.map((contender) => [contender.kind, summarise(measured.filter((sample) => sample.kind === contender.kind))]),
		) as Record<Kind, Summary>;
		const valid = (kind: Kind, metric: 'firstMs' | 'endMs') =>
			measured.filter((sample) => sample.kind === kind && !sample.error && sample.firstMs !== null).map((sample) => sample[metric] as number);
		if (summaries.ours.n === 0 && summaries.native.n === 0) {
			const failed = measured.find((sample) => sample.error);
			throw new Error(`every measured request failed; the first: ${failed?.kind}: ${failed?.error}\n--- n8n log ---\n${n8n.log().slice(-4000)}`);
		}

		console.log(`\nmeasured ${ROUNDS} rounds in ${seconds.toFixed(0)} s; load average at the end of the warm-up ${loadAfterWarmup.map((v) => v.toFixed(2)).join(' / ')}, at the end ${loadAtEnd.map((v) => v.toFixed(2)).join(' / ')}\n`);
		const header = `${pad('', 16)}${pad('n', 6)}${pad('first p50', 11)}${pad('first p95', 11)}${pad('end p50', 10)}${pad('end p95', 10)}${pad('end mean', 10)}n8n CPU/req`;
		console.log(`${header}   (ms; first = first response.tts frame / first item line)`);
		for (const contender of CONTENDERS) {
			const s = summaries[contender.kind];
			console.log(
				`${pad(contender.kind, 16)}${pad(String(s.n), 6)}${pad(num(s.first.p50), 11)}${pad(num(s.first.p95), 11)}` +
					`${pad(num(s.end.p50), 10)}${pad(num(s.end.p95), 10)}${pad(num(s.end.mean), 10)}` +
					`${s.cpuMsPerRequest === null ? 'n/a' : `${s.cpuMsPerRequest.toFixed(1)} ms`}${s.errors ? `   (${s.errors} wrong answers left out)` : ''}`,
			);
		}

		const base = summaries.native;
		const verdicts: Verdict[] = [];
		for (const contender of CONTENDERS.filter((c) => c.kind !== 'native')) {
			const mine = summaries[contender.kind];
			console.log(`\n${contender.kind} / native${contender.kind === 'ours' ? '' : ' (diagnostic)'}:`);
			for (const [metric, key, label] of [
				['first', 'firstMs', 'time to first frame'],
				['end', 'endMs', 'time to end of turn '],
			] as const) {
				const parts: string[] = [];
				for (const p of ['p50', 'p95'] as const) {
					const ratio = mine[metric][p] / base[metric][p];
					const ci95 = ratioInterval(valid(contender.kind, key), valid('native', key), p === 'p50' ? 50 : 95);
					verdicts.push({ kind: contender.kind, metric, percentile: p, ours: mine[metric][p], native: base[metric][p], ratio, diffMs: mine[metric][p] - base[metric][p], ci95, met: ratio <= TARGET_RATIO });
					parts.push(
						`${p} ${ratio.toFixed(3)} (${pct(ratio)}, ${signed(mine[metric][p] - base[metric][p])} ms; 95 % CI ${ci95[0].toFixed(3)}–${ci95[1].toFixed(3)})`,
					);
				}
				const paired = pairedMedianDiff(measured, contender.kind, key);
				console.log(`  ${label}: ${parts.join('   ')}   median paired diff ${signed(paired)} ms`);
			}
		}

		const headline = verdicts.filter((verdict) => verdict.kind === 'ours');
		const missed = headline.filter((verdict) => !verdict.met);
		console.log(`\nTarget: ours within 5 % of n8n's native streaming (ratio ≤ ${TARGET_RATIO.toFixed(2)}).`);
		for (const verdict of headline) {
			console.log(
				`  ${verdict.met ? 'MET    ' : 'NOT MET'} ${verdict.metric === 'first' ? 'first frame' : 'end of turn'} ${verdict.percentile}: ` +
					`${num(verdict.ours)} vs ${num(verdict.native)} ms, ratio ${verdict.ratio.toFixed(3)}`,
			);
		}
		const p50Met = headline.filter((verdict) => verdict.percentile === 'p50').every((verdict) => verdict.met);
		console.log(
			missed.length === 0
				? 'RESULT: target MET (p50 and p95, first frame and end of turn).'
				: `RESULT: target ${p50Met ? 'MET at p50, NOT MET at p95' : 'NOT MET'} (${missed.length} of ${headline.length} ratios above ${TARGET_RATIO.toFixed(2)}).`,
		);

		const concurrent = CONCURRENCY > 1 ? await measureConcurrently(n8n, pid, samples) : undefined;

		// Where the time goes, counted rather than timed: after the measurement (so the scrapes do
		// not disturb it), each workflow alone for a few requests, n8n's expression-engine counters
		// read before and after. Under the default `vm` engine every acquisition beyond the warm pool
		// (one isolate) builds a fresh V8 isolate, and every release disposes one and builds its
		// replacement.
		let isolates: SettingResult['isolates'];
		if (ISOLATES) {
			isolates = {};
			console.log(`\nexpression-engine isolates per request (n8n's /metrics, ${ISOLATE_PROBE_REQUESTS} requests of each workflow alone, after the measurement):`);
			for (const contender of CONTENDERS) {
				await sleep(1000);
				const before = await isolateCounters(n8n);
				for (let i = 0; i < ISOLATE_PROBE_REQUESTS; i++) {
					await send(contender, n8n, `probe_${contender.kind}_${i}`);
					await sleep(GAP_MS);
				}
				await sleep(1000); // the execution releases its isolate after the response has ended
				const after = await isolateCounters(n8n);
				const perRequest = (a: number, b: number) => (a - b) / ISOLATE_PROBE_REQUESTS;
				isolates[contender.kind] = {
					acquiredPerRequest: perRequest(after.acquired, before.acquired),
					evaluatedPerRequest: perRequest(after.evaluated, before.evaluated),
				};
				console.log(
					`  ${pad(contender.kind, 16)}isolates acquired ${isolates[contender.kind].acquiredPerRequest.toFixed(1)}, ` +
						`expressions evaluated in an isolate ${isolates[contender.kind].evaluatedPerRequest.toFixed(1)}`,
				);
			}
		}

		return {
			setting,
			n8nVersion: version,
			n8nEnv,
			startedAt: startedAt.toISOString(),
			mode: topology === 'scaled' ? 'scaled' : 'regular',
			clientNode: process.version,
			machine: { cores: cpu.length, model: cpu[0]?.model.trim(), totalMemBytes: totalmem() },
			loadavg: { atStart: loadAtStart, afterWarmup: loadAfterWarmup, atEnd: loadAtEnd },
			otherN8nProcesses: others,
			options: { rounds: ROUNDS, warmup: WARMUP, gapMs: GAP_MS, decompose: DECOMPOSE, concurrency: CONCURRENCY, concurrentRounds: CONCURRENT_ROUNDS, n8nEnv },
			contenders: CONTENDERS.map(({ kind, label, framing, signed: isSigned }) => ({ kind, label, framing, signed: isSigned })),
			workflows: CONTENDERS.map((contender) => contender.workflow),
			summaries,
			verdicts,
			isolates,
			concurrent,
			samples: samples.map((sample) => ({ ...sample, firstMs: sample.firstMs === null ? null : ms(sample.firstMs), endMs: ms(sample.endMs) })),
		};
	} finally {
		await n8n.stop();
	}
}

// ---------------------------------------------------------------------------------------------
// --matrix: one table for all settings

type MatrixRow = { setting: N8nSetting; result?: SettingResult; error?: string };

/** The matrix as markdown tables (paste into docs/ or an issue as they are). */
function printMatrix(rows: MatrixRow[]) {
	const pair = (a: number | null | undefined, b: number | null | undefined, digits = 1) =>
		`${a === null || a === undefined ? 'n/a' : num(a, digits)} / ${b === null || b === undefined ? 'n/a' : num(b, digits)}`;
	const name = (setting: N8nSetting) => `${setting.name}${setting.note ? ` (${setting.note})` : ''}`;
	console.log(`\n## bench:turn --matrix: ours / native, ms (first = first frame; end = end of turn); ${ROUNDS} paced rounds per setting\n`);
	console.log(
		'| n8n setting | first p50 | first p95 | end p50 | end p95 | ratio first p50 (95 % CI) | n8n CPU ms/turn | isolates/turn | expressions/turn |',
	);
	console.log('|---|---|---|---|---|---|---|---|---|');
	for (const { setting, result, error } of rows) {
		if (!result) {
			console.log(`| ${name(setting)} | failed: ${(error ?? '').split('\n')[0].slice(0, 120)} ||||||||`);
			continue;
		}
		const { ours, native } = result.summaries;
		const ratio = result.verdicts.find((v) => v.kind === 'ours' && v.metric === 'first' && v.percentile === 'p50');
		const iso = result.isolates;
		console.log(
			`| ${name(setting)} | ${pair(ours.first.p50, native.first.p50)} | ${pair(ours.first.p95, native.first.p95)} | ` +
				`${pair(ours.end.p50, native.end.p50)} | ${pair(ours.end.p95, native.end.p95)} | ` +
				`${ratio ? `${ratio.ratio.toFixed(2)} (${ci(ratio.ci95, 2)})` : 'n/a'} | ${pair(ours.cpuMsPerRequest, native.cpuMsPerRequest, 0)} | ` +
				`${pair(iso?.ours?.acquiredPerRequest, iso?.native?.acquiredPerRequest)} | ${pair(iso?.ours?.evaluatedPerRequest, iso?.native?.evaluatedPerRequest)} |`,
		);
	}
	if (CONCURRENCY <= 1) return;
	console.log(`\n## concurrent: ${CONCURRENCY} turns at once, ours / native, ms; ${CONCURRENT_ROUNDS} rounds per setting\n`);
	console.log('| n8n setting | first p50 | first p95 | ratio first p50 (95 % CI) | ratio first p95 (95 % CI) | n8n CPU ms/turn |');
	console.log('|---|---|---|---|---|---|');
	for (const { setting, result } of rows) {
		const c = result?.concurrent;
		if (!c) {
			console.log(`| ${name(setting)} | failed |||||`);
			continue;
		}
		console.log(
			`| ${name(setting)} | ${pair(c.ours.first.p50, c.native.first.p50)} | ${pair(c.ours.first.p95, c.native.first.p95)} | ` +
				`${c.firstP50.ratio.toFixed(2)} (${ci(c.firstP50.ci95, 2)}) | ${c.firstP95.ratio.toFixed(2)} (${ci(c.firstP95.ci95, 2)}) | ` +
				`${pair(c.ours.cpuMsPerRequest, c.native.cpuMsPerRequest, 0)} |`,
		);
	}
}

/** --topology both: first frame p50/p95 of each contender, a single n8n beside the scaled topology. */
function printTopologies(results: Array<{ topology: Topology; result: Pick<SettingResult, 'summaries' | 'concurrent' | 'loadavg' | 'otherN8nProcesses'> }>) {
	console.log(`\n## bench:turn --topology both: first frame, ms (${ROUNDS} paced rounds each)\n`);
	console.log('| topology | contender | first p50 | first p95 | end p50 | end p95 | load average start / end | other n8n processes |');
	console.log('|---|---|---|---|---|---|---|---|');
	for (const { topology, result } of results) {
		for (const contender of CONTENDERS) {
			const s = result.summaries[contender.kind];
			console.log(
				`| ${TOPOLOGY_LABEL[topology]} | ${contender.kind} | ${num(s.first.p50)} | ${num(s.first.p95)} | ${num(s.end.p50)} | ${num(s.end.p95)} | ` +
					`${result.loadavg.atStart[0].toFixed(1)} / ${result.loadavg.atEnd[0].toFixed(1)} | ${result.otherN8nProcesses} |`,
			);
		}
		const c = result.concurrent;
		if (c) {
			console.log(
				`| ${TOPOLOGY_LABEL[topology]}, ${CONCURRENCY} at once | ours / native | ${num(c.ours.first.p50)} / ${num(c.native.first.p50)} | ` +
					`${num(c.ours.first.p95)} / ${num(c.native.first.p95)} | | | | |`,
			);
		}
	}
}

// ---------------------------------------------------------------------------------------------

function writeRawSamples(prefix: string, startedAt: Date, content: object): string {
	const outDir = join(ROOT, '.bench');
	mkdirSync(outDir, { recursive: true });
	const file = join(outDir, `${prefix}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
	writeFileSync(file, `${JSON.stringify(content, null, '\t')}\n`);
	return file.slice(ROOT.length + 1);
}

async function main() {
	const command = `node .build/scripts/bench-turn.js ${process.argv.slice(2).join(' ')}`.trim();
	const npmCommand = `npm run bench:turn${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
	const startedAt = new Date();
	console.log(`bench:turn, ${startedAt.toISOString()}`);
	console.log(`command: ${npmCommand}   (runs: ${command})`);

	if (!MATRIX) {
		try {
			const results: Array<{ topology: Topology; result: Omit<SettingResult, 'setting' | 'n8nEnv'> }> = [];
			for (const topology of TOPOLOGIES) {
				if (TOPOLOGIES.length > 1) console.log(`\n=== ${TOPOLOGY_LABEL[topology]} ===`);
				const { setting: _setting, n8nEnv: _env, ...result } = await measureSetting({ name: describeEnv(EXTRA_ENV), env: {} }, topology);
				results.push({ topology, result });
			}
			if (results.length > 1) printTopologies(results);
			const file = writeRawSamples('turn', startedAt, results.length === 1 ? { command: npmCommand, ...results[0].result } : { command: npmCommand, topologies: results });
			console.log(`\nraw samples: ${file}`);
		} catch (error) {
			console.error(error);
			process.exit(1);
		}
		process.exit(0);
	}

	const rows: MatrixRow[] = [];
	for (const [index, setting] of TURN_MATRIX.entries()) {
		console.log(`\n=== setting ${index + 1}/${TURN_MATRIX.length}: ${setting.name}${setting.note ? ` (${setting.note})` : ''} ===`);
		try {
			rows.push({ setting, result: await measureSetting(setting) });
		} catch (error) {
			console.error(error);
			rows.push({ setting, error: String(error) });
		}
	}
	printMatrix(rows);
	const file = writeRawSamples('turn-matrix', startedAt, { command: npmCommand, startedAt: startedAt.toISOString(), settings: rows });
	console.log(`\nraw samples: ${file}`);
	// A measurement: the ratios decide nothing; a setting whose n8n failed to start or answer does.
	process.exit(rows.every((row) => row.result) ? 0 : 1);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
