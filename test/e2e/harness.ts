/**
 * A real n8n for end-to-end tests: provisions n8n (scripts/provision-n8n.sh), installs this
 * package into a fresh user folder, imports and publishes workflows with n8n's own CLI, starts
 * `n8n start` on free loopback ports and talks to its REST API as the owner.
 *
 * Facts about n8n 2.41.1 this relies on (read from its compiled source; 1.x differences below):
 * - Community packages load from `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/n8n-nodes-*`:
 *   `CommunityPackagesModule.nodeLoaders()` runs `scanDirectoryForPackages(
 *   path.join(InstanceSettings.nodesDownloadDir, 'node_modules'))`, `nodesDownloadDir` is
 *   `<n8nFolder>/nodes`, `n8nFolder` is `path.join(N8N_USER_FOLDER, '.n8n')`, and the scan globs
 *   `n8n-nodes-*` and `@*\/n8n-nodes-*`. No `nodes/package.json` and no `installed_packages` row
 *   are needed for loading (the DB row only matters for the UI's "installed packages" list).
 * - A node's type is `<package.json name>.<description.name>`
 *   (`LoadNodesAndCredentials.postProcessLoaders`: `name: \`${packageName}.${name}\``), so this
 *   package's nodes are `n8n-nodes-voice-agent.voiceAgentTrigger` and
 *   `n8n-nodes-voice-agent.voiceAgent`.
 * - `n8n publish:workflow` only writes the DB; it must run before `n8n start` (n8n says so).
 *   n8n then activates published workflows asynchronously, after the server is up (its
 *   "publication outbox"), and reports the result at GET /rest/workflows/:id/publication-status.
 * - /healthz answers before the REST routes exist; /healthz/readiness waits for them.
 * - Production webhook rows persist in the DB across restarts, so after a restart webhooks answer
 *   as soon as the server listens.
 *
 * Queue mode (`mode: 'queue'`), also read from n8n 2.41.1's source:
 * - `EXECUTIONS_MODE=queue` needs Redis (`QUEUE_BULL_REDIS_*`) and a shared database: PostgreSQL
 *   (`DB_TYPE=postgresdb`, `DB_POSTGRESDB_*`), since SQLite is one file per process. The CLI
 *   import/publish, `n8n start` and `n8n worker` all get the same DB env.
 * - The main process (`n8n start`) receives the webhooks (no separate `n8n webhook` process: the
 *   main serves production webhooks unless N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true), runs the
 *   trigger's `webhook()` and holds the HTTP response; it enqueues the execution ("Enqueued
 *   execution 12 (job 3)"). The worker runs the workflow ("Worker started execution 12 (job 3)",
 *   JobProcessor) and relays every `sendChunk` to the main as a Bull job progress message
 *   (`kind: 'send-chunk'`), which the main writes to the response it holds.
 * - `n8n worker` loads community packages from its own user folder, starts its own task runner
 *   (so its own N8N_RUNNERS_BROKER_PORT) and, with QUEUE_HEALTH_CHECK_ACTIVE=true, a server on
 *   QUEUE_HEALTH_CHECK_PORT whose /healthz/readiness is 200 once DB, Redis and the job processor
 *   are up.
 * - Main and worker may boot at the same time on a fresh database: both seed the instance
 *   identity with insert-or-ignore and then read the winner.
 * - PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` system
 *   user (Node's spawn uid/gid), in a temp folder that user owns.
 *
 * The n8n under test is N8N_VERSION (default: the primary one in scripts/n8n-versions.json; read back from the installed n8n's
 * package.json). On the 1.x line (`N8N_VERSION=1.123.81`), read from n8n 1.123.81's source:
 * - There is no `publish:workflow` and no publication: `n8n update:workflow --all --active=true`
 *   (commands/update/workflow.js) marks every workflow active in the DB, before `n8n start`.
 * - `n8n start` listens (readiness 200) before it activates active workflows: commands/start.js
 *   awaits `server.start()`, then `activeWorkflowManager.init()`, then prints "Editor is now
 *   accessible via". A trigger that fails to activate is kept as the workflow's activation error
 *   (GET /rest/active-workflows/error/:id); GET /rest/active-workflows lists the active ids
 *   without one (services/active-workflows.service.js). There is no publication-status route.
 * - GET /rest/executions answers `{results, count, estimated}`, no cursor: with `firstId` and
 *   `lastId` it reads that id range newest first, at most 100 rows
 *   (executions/parse-range-query.middleware.js, ExecutionRepository.findManyByRangeQuery).
 * - Owner setup, login (`emailOrLdapLoginId`), the `n8n-auth` cookie, GET /rest/executions/:id
 *   (flatted `data`), credential test, retry, and queue mode (env, "Enqueued/Worker started/Worker
 *   finished execution" log lines, `send-chunk` relayed through Bull) are as in 2.41.1.
 * - n8n reads N8N_VERSION itself (its task runner reports it as n8n's version:
 *   task-runners/task-runner-process-js.js), so the harness does not pass it on.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants as fsConstants, readFileSync, rmSync } from 'node:fs';
import { access, chown, cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseFlatted } from 'flatted';
import type { ExecutionStatus, IDataObject, IRunExecutionData } from 'n8n-workflow';

import { mainConfig, parseAccessLog, readShippedConfig, renderShippedConfig, type AccessEntry, type NginxPorts, type Routing } from '../support/nginx';

const execFileAsync = promisify(execFile);

function findRepoRoot(from: string): string {
	for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
		try {
			if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'n8n-nodes-voice-agent') return dir;
		} catch {
			// no package.json here: keep walking up
		}
	}
	throw new Error(`not inside the n8n-nodes-voice-agent checkout: ${from}`);
}

// The checkout; compiled copies (the demo runs from .build/) find it by its package.json.
const REPO_ROOT = findRepoRoot(__dirname);
const ENCRYPTION_KEY = 'voice-agent-e2e-fixed-encryption-key';
export const OWNER = {
	email: 'owner@example.com',
	firstName: 'Test',
	lastName: 'Owner',
	password: 'E2e-Passw0rd-Long',
};
/** How long one `n8n start` may take to become ready and activate every workflow. */
const START_TIMEOUT_MS = 90_000;
/** How long n8n gets to shut down after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 20_000;
/** How long Redis or PostgreSQL may take to accept connections. */
const SERVICE_START_TIMEOUT_MS = 30_000;
const LOG_TAIL_CHARS = 6_000;
/** Queue mode's PostgreSQL: a private cluster whose superuser is n8n's DB user. */
const PG = { user: 'n8n', password: 'n8n-e2e-password', database: 'n8n' };
const INSTALL_HINT = 'apt-get install redis-server postgresql';
const NGINX_INSTALL_HINT = 'apt-get install nginx';

/**
 * How n8n runs executions. `regular`: one `n8n start` on SQLite runs everything. `queue`: n8n's
 * scaling mode, with a private Redis and PostgreSQL: `n8n start` (UI, REST, webhooks; it enqueues
 * every execution) and one `n8n worker` that runs them. `scaled`: the topology n8n's scaling docs
 * describe for more load: `n8n start` with N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true (UI, REST),
 * two `n8n webhook` processes taking the production webhooks, two `n8n worker`s, and nginx in
 * front running the shipped docs/deployment/nginx.conf (docs/deployment.md).
 */
export type N8nMode = 'regular' | 'queue' | 'scaled';

export interface StartOptions {
	/** n8n workflow JSON objects (each with a fixed id; webhook nodes with a fixed webhookId). */
	workflows: object[];
	/** Unencrypted credentials for `n8n import:credentials`: {id, name, type, data: {...}}. */
	credentials?: object[];
	/** Extra env for every n8n process (CLI and server), e.g. queue mode. */
	env?: Record<string, string>;
	/**
	 * Install this repo's `npm pack` tarball (default true; run `npm run build` first), or not
	 * (false), or let the caller install it into the user folder (`~` of n8n's user) its own way.
	 */
	installPackage?: boolean | ((userFolder: string) => Promise<void>);
	/**
	 * Default `regular`. `queue` needs redis-server and PostgreSQL's server binaries (`apt-get
	 * install redis-server postgresql`; found in /usr/lib/postgresql/<major>/bin, or PG_BINDIR).
	 */
	mode?: N8nMode;
	/** `scaled` only: how nginx starts routing production webhooks (default `hash`, the shipped rule); see N8n.setRouting. */
	routing?: Routing;
}

/** Milliseconds each start-up stage took; stages in parallel overlap, so they do not add up. */
export interface StartTimings {
	/** Redis and PostgreSQL accepting connections, the database created (0 in regular mode); in parallel with the install. */
	servicesMs: number;
	/** `npm pack` and unpacking into the user folder(s). */
	installMs: number;
	/** `n8n import:*` and `n8n publish:workflow` (1.x: `update:workflow`; on a fresh database: including its migrations). */
	importMs: number;
	/** The first boot: main ready and every workflow activated; in queue mode also the worker taking jobs. */
	bootMs: number;
	/** From the call to startN8n until it returned. */
	totalMs: number;
}

/** One row of `GET /rest/executions` (the fields tests use; n8n sends more). */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	mode: string;
	status: ExecutionStatus;
	createdAt: string;
	startedAt: string | null;
	stoppedAt: string | null;
	waitTill: string | null;
	retryOf: string | null;
}

/** `GET /rest/executions/:id` with its flatted `data` parsed. */
export interface ExecutionDetail extends ExecutionSummary {
	finished: boolean;
	data: IRunExecutionData;
	workflowData: { id: string; name: string; nodes: object[]; connections: object };
}

export interface N8n {
	/** http://127.0.0.1:<port> */
	baseUrl: string;
	port: number;
	/** The main process's user folder (the worker has its own, with the same package installed). */
	userFolder: string;
	mode: N8nMode;
	/** The n8n under test, e.g. "2.41.1" or "1.123.81" (N8N_VERSION picks it). */
	version: string;
	timings: StartTimings;
	/** `${baseUrl}/webhook/${path}`: the production URL of a published webhook (scaled: through nginx). */
	webhookUrl(path: string): string;
	/** Scaled: each webhook process's own http://127.0.0.1:<port>, bypassing nginx ([] otherwise). */
	webhookProcessUrls: string[];
	/** All executions (any status) of a workflow, newest first. */
	executions(workflowId: string): Promise<ExecutionSummary[]>;
	/** One execution with its run data parsed. */
	executionData(id: string): Promise<ExecutionDetail>;
	/** n8n's own credential test (the editor's "Test" button) for unencrypted credential data. */
	testCredential(credential: { name: string; type: string; data: object }): Promise<{ status: string; message: string }>;
	/**
	 * Polls until at least `count` executions exist and all of them have finished (success, error,
	 * crashed or canceled; a `waiting` execution is not finished). Default timeout 30 s.
	 */
	waitForExecutions(workflowId: string, count: number, timeoutMs?: number): Promise<ExecutionSummary[]>;
	/** Stops n8n (main and worker) and starts it again on the same user folders, ports and database. */
	restart(): Promise<void>;
	/**
	 * Stops n8n (worker and main, then Redis and PostgreSQL) and deletes its temp folders (kept
	 * when KEEP_N8N=1).
	 */
	stop(): Promise<void>;
	/** n8n's stdout and stderr so far, across restarts; in queue mode then each worker's (and webhook process's), then the services'. */
	log(): string;
	/** The workers' stdout and stderr so far, across restarts ('' in regular mode). */
	workerLog(): string;
	/** Scaled: webhook process `index`'s stdout and stderr so far. */
	webhookProcessLog(index: number): string;
	/** Ids of the executions a worker started, from its log ("Worker started execution 12 (job 3)"). */
	workerExecutionIds(): string[];
	/**
	 * Queue mode: ends worker `index` (default the first) and waits until it has exited. SIGKILL
	 * (default) is a crash: its running executions are cut off. SIGTERM is n8n's graceful
	 * shutdown: it finishes them first.
	 */
	killWorker(signal?: 'SIGKILL' | 'SIGTERM', index?: number): Promise<void>;
	/** Queue mode: starts worker `index` again (after killWorker) and waits until it takes jobs. */
	startWorker(index?: number): Promise<void>;
	/** Scaled: ends webhook process `index` (SIGKILL by default: a crash) and waits until it has exited. */
	killWebhookProcess(index: number, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
	/** Scaled: starts webhook process `index` again and waits until it listens. */
	startWebhookProcess(index: number): Promise<void>;
	/**
	 * Scaled: nginx reloads with the shipped rule (`hash`) or the same file without it
	 * (`roundRobin`); resolves once the new configuration answers.
	 */
	setRouting(routing: Routing): Promise<void>;
	/** Scaled: every request nginx proxied so far: svix-id, the webhook process(es) tried, status. */
	accessLog(): Promise<AccessEntry[]>;
	/** Queue mode: the workflow's static data as PostgreSQL holds it now (what every process loads per request). */
	staticData(workflowId: string): Promise<IDataObject>;
	/**
	 * The PID of the running main process (`n8n start`: the Node process itself, whose
	 * /proc/<pid>/status has its VmRSS), or undefined while it is stopped. Changes on restart().
	 */
	mainPid(): number | undefined;
	/** Queue mode: the PID of running worker `index` (default the first), or undefined (also in regular mode). */
	workerPid(index?: number): number | undefined;
	/**
	 * n8n's "Retry" of a failed or crashed execution (POST /rest/executions/:id/retry), as the
	 * editor's button does it: with the workflow as saved in the execution (loadWorkflow false) or
	 * as it is now. Waits for the retry to finish; resolves to the new execution (its retryOf is `id`).
	 */
	retryExecution(id: string, loadWorkflow?: boolean): Promise<{ id: string; status: ExecutionStatus; finished: boolean; retryOf: string }>;
}

/** Statuses after which an execution will not change any more (n8n's TerminalExecutionStatus). */
const DONE_STATUSES: readonly ExecutionStatus[] = ['success', 'error', 'crashed', 'canceled'];

// ---------------------------------------------------------------------------------------------
// Provisioning and install

interface Binaries {
	node24Bin: string;
	n8nBin: string;
	/** The installed n8n's version, from its package.json (e.g. "2.41.1", "1.123.81"). */
	n8nVersion: string;
}

/** The n8n versions tested, primary first, and Node 24's version: kept in one file for every script. */
const TESTED_VERSIONS = JSON.parse(readFileSync(join(REPO_ROOT, 'scripts', 'n8n-versions.json'), 'utf8')) as { node: string; n8n: string[] };
/** The n8n version scripts/provision-n8n.sh installs: N8N_VERSION, else the primary one. */
export const DEFAULT_N8N_VERSION = TESTED_VERSIONS.n8n[0];
export function targetN8nVersion(): string {
	return process.env.N8N_VERSION?.trim() || DEFAULT_N8N_VERSION;
}

/** The major version of the n8n under test (before it is even installed: from N8N_VERSION). */
export function targetN8nMajor(): number {
	return Number(targetN8nVersion().split('.')[0]);
}

/** True on the n8n 1.x line (no publish:workflow, no publication status, cursor-less executions REST). */
const isLegacy = (bins: Binaries): boolean => Number(bins.n8nVersion.split('.')[0]) < 2;

let binaries: Promise<Binaries> | undefined;

/** Runs the provisioning script once per test process; it reuses its own cache. */
function provision(): Promise<Binaries> {
	binaries ??= (async () => {
		// Its progress (stderr) goes straight to ours: the first install takes minutes, and a repaired cache says so.
		const script = spawn('bash', [join(REPO_ROOT, 'scripts/provision-n8n.sh')], { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
		let stdout = '';
		script.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		const code = await new Promise<number | null>((done, fail) => script.once('error', fail).once('close', done));
		if (code !== 0) throw new Error(`scripts/provision-n8n.sh failed (exit ${code}): see its lines above`);
		const value = (name: string): string => {
			const match = new RegExp(`^${name}=(.+)$`, 'm').exec(stdout);
			if (!match) throw new Error(`provision-n8n.sh printed no ${name}=…:\n${stdout}`);
			return match[1].trim();
		};
		const n8nBin = value('N8N_BIN');
		// bin/n8n sits next to the package.json of the n8n package itself.
		const manifest = JSON.parse(await readFile(join(dirname(n8nBin), '..', 'package.json'), 'utf8')) as { version: string };
		// An exact N8N_VERSION must be what is installed (a range, e.g. "2.41", resolves to any 2.41.x).
		if (/^\d+\.\d+\.\d+$/.test(targetN8nVersion()) && manifest.version !== targetN8nVersion()) {
			throw new Error(`asked for n8n ${targetN8nVersion()} (N8N_VERSION) but ${n8nBin} is n8n ${manifest.version}`);
		}
		return { node24Bin: value('NODE24_BIN'), n8nBin, n8nVersion: manifest.version };
	})();
	return binaries;
}

/**
 * Puts this repo's `npm pack` tarball where n8n scans for community packages (see the header).
 * The tarball, not the checkout, so a test sees exactly what npm would publish.
 */
async function installThisPackage(userFolder: string): Promise<void> {
	const packDir = await mkdtemp(join(tmpdir(), 'voice-agent-pack-'));
	try {
		const { stdout } = await execFileAsync('npm', ['pack', '--json', '--pack-destination', packDir], {
			cwd: REPO_ROOT,
		});
		const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
		await execFileAsync('tar', ['-xzf', join(packDir, filename), '-C', packDir]);
		const unpacked = join(packDir, 'package'); // npm tarballs always hold one `package/` folder
		const manifest = JSON.parse(await readFile(join(unpacked, 'package.json'), 'utf8')) as {
			name: string;
			dependencies?: Record<string, string>;
		};
		if (Object.keys(manifest.dependencies ?? {}).length > 0) {
			// n8n resolves `n8n-workflow` itself; anything else must be installed next to the package.
			await execFileAsync('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-package-lock'], {
				cwd: unpacked,
			});
		}
		const nodeModules = join(userFolder, '.n8n', 'nodes', 'node_modules');
		await mkdir(nodeModules, { recursive: true });
		await rename(unpacked, join(nodeModules, manifest.name));
	} finally {
		await rm(packDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Ports, env, CLI

/** Distinct free loopback ports, found by binding port 0 (all held open at once). */
async function freePorts(count: number): Promise<number[]> {
	const servers = await Promise.all(
		Array.from({ length: count }, () => {
			const server = createServer();
			return new Promise<ReturnType<typeof createServer>>((done, fail) => {
				server.once('error', fail);
				server.listen(0, '127.0.0.1', () => done(server));
			});
		}),
	);
	const ports = servers.map((server) => (server.address() as AddressInfo).port);
	await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
	return ports;
}

interface Instance {
	bins: Binaries;
	/** The main process's (and the CLI's) env. */
	env: NodeJS.ProcessEnv;
	port: number;
	userFolder: string;
	workflows: object[];
	/** Queue mode's workers and the scaled topology's webhook processes. */
	helpers: Helper[];
	/** Appends a line to the main log (the harness's own notes). */
	log?: (line: string) => void;
}

/** An n8n process beside the main: its own user folder and env (same DB, Redis and encryption key). */
interface Helper {
	kind: 'worker' | 'webhook';
	/** For messages and logs: "n8n worker", "n8n worker 2", "n8n webhook 1". */
	name: string;
	userFolder: string;
	env: NodeJS.ProcessEnv;
	/** Where its /healthz/readiness answers: a worker's health server, a webhook process's own server. */
	readinessUrl: string;
}

/**
 * What main, worker and CLI share in queue mode. OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: n8n warns
 * that manual runs in the main are deprecated in queue mode; with it every execution runs on a worker.
 */
function queueEnv(redisPort: number, pgPort: number): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: PG.database,
		DB_POSTGRESDB_USER: PG.user,
		DB_POSTGRESDB_PASSWORD: PG.password,
		DB_POSTGRESDB_POOL_SIZE: '4', // default 2: REST reads would queue behind execution writes
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

/**
 * What every process shares in the scaled topology: the URLs n8n shows and builds (production
 * webhooks, $execution.resumeUrl) are nginx's, and n8n trusts one proxy hop's X-Forwarded-For.
 */
function scaledEnv(loadBalancerUrl: string): Record<string, string> {
	return { WEBHOOK_URL: `${loadBalancerUrl}/`, N8N_PROXY_HOPS: '1' };
}

/** The worker's own: its health/readiness server on a free port, on loopback only. */
function workerEnv(healthPort: number): Record<string, string> {
	return {
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		QUEUE_HEALTH_CHECK_PORT: String(healthPort),
		N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
	};
}

function n8nEnv(
	bins: Binaries,
	userFolder: string,
	port: number,
	brokerPort: number,
	extra: Record<string, string>,
): NodeJS.ProcessEnv {
	// Jest sets NODE_ENV=test, and n8n then refuses to load nodes ("Not available in tests").
	// N8N_VERSION picks the n8n to provision here; n8n itself reads that name as its own version
	// (its task runner reports it: task-runners/task-runner-process-js.js), so it stays out.
	const { NODE_ENV: _jestNodeEnv, N8N_VERSION: _versionToProvision, ...inherited } = process.env;
	const nodeBinDir = resolve(bins.node24Bin, '..');
	return {
		...inherited,
		// n8n spawns its JS task runner as plain `node`: it must be Node 24 too.
		PATH: `${nodeBinDir}:${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort), // the default 5679 collides between instances
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		DB_SQLITE_POOL_SIZE: '3', // WAL mode: REST reads do not wait behind execution writes
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		...extra,
	};
}

/** Runs one `n8n <args>` CLI command to completion; throws with its output if it fails. */
async function runCli(instance: Instance, args: string[]): Promise<string> {
	const startedAt = Date.now();
	try {
		const { stdout, stderr } = await execFileAsync(instance.bins.node24Bin, [instance.bins.n8nBin, ...args], {
			cwd: instance.userFolder,
			env: instance.env,
			maxBuffer: 64 * 1024 * 1024,
		});
		instance.log?.(`[harness] n8n ${args.join(' ')}: ${Date.now() - startedAt} ms\n`);
		return stdout + stderr;
	} catch (error) {
		const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
		throw new Error(`n8n ${args.join(' ')} failed:\n${tail(stdout + stderr)}`);
	}
}

/** Imports credentials and workflows, then publishes every workflow: all before `n8n start`. */
async function importAll(instance: Instance, credentials: object[]): Promise<void> {
	if (credentials.length > 0) {
		const file = join(instance.userFolder, 'credentials.json');
		await writeFile(file, JSON.stringify(credentials));
		await runCli(instance, ['import:credentials', `--input=${file}`]);
	}
	const file = join(instance.userFolder, 'workflows.json');
	await writeFile(file, JSON.stringify(instance.workflows));
	await runCli(instance, ['import:workflow', `--input=${file}`]);
	if (isLegacy(instance.bins)) {
		// n8n 1.x has no publish:workflow; `update:workflow --all --active=true` marks every
		// imported workflow active in one CLI run (commands/update/workflow.js), and `n8n start`
		// activates active workflows itself.
		await runCli(instance, ['update:workflow', '--all', '--active=true']);
		return;
	}
	// One at a time: each run is mostly n8n booting (CPU-bound), so running them at once on two
	// cores took longer (measured in queue mode: 5 × 29 s at once against about 4 s each in turn).
	for (const workflow of instance.workflows) {
		await runCli(instance, ['publish:workflow', `--id=${workflowId(workflow)}`]);
	}
}

function workflowId(workflow: object): string {
	const { id } = workflow as { id?: unknown };
	if (typeof id !== 'string' || id === '') throw new Error('every workflow needs a fixed string id');
	return id;
}

// ---------------------------------------------------------------------------------------------
// Processes: n8n (main, worker), Redis, PostgreSQL

interface Running {
	/** For messages: "n8n", "n8n worker", "redis-server", "postgres". */
	name: string;
	child: ChildProcess;
	exited: Promise<void>;
}

/** PIDs (process groups) of everything started here and folders to delete, for the process-exit safety net. */
const livePids = new Set<number>();
const liveFolders = new Set<string>();

/**
 * Every process runs in its own process group (detached) so that killing the group also ends its
 * children (n8n's task runner, PostgreSQL's backends). Because Ctrl-C then no longer reaches
 * them, the test process forwards its own death: on exit and on SIGINT/SIGTERM/SIGHUP it kills
 * every group it started.
 */
function killAllSync(): void {
	for (const pid of livePids) killGroup(pid, 'SIGKILL');
	livePids.clear();
	if (process.env.KEEP_N8N !== '1') {
		for (const folder of liveFolders) rmSync(folder, { recursive: true, force: true });
	}
	liveFolders.clear();
}

let safetyNetInstalled = false;
function installSafetyNet(): void {
	if (safetyNetInstalled) return;
	safetyNetInstalled = true;
	process.on('exit', killAllSync);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			killAllSync();
			process.kill(process.pid, signal); // our listener is gone now: die as the signal intends
		});
	}
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// ESRCH: the group is already gone
	}
}

interface SpawnOptions {
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** Run as this user and group (PostgreSQL, which refuses root). */
	uid?: number;
	gid?: number;
}

/** Starts `command` in its own process group, its output appended to a log, tracked for the safety net. */
function spawnTracked(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions,
	appendLog: (chunk: string) => void,
): Running {
	const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	// Without a listener, a failed spawn (ENOENT, EACCES) would be an uncaught 'error' event.
	const exited = new Promise<void>((done) => {
		child.once('exit', () => done());
		child.once('error', (error) => {
			appendLog(`[harness] ${name}: ${error.message}\n`);
			done();
		});
	});
	if (child.pid === undefined) throw new Error(`could not spawn ${name} (${command})`);
	livePids.add(child.pid);
	child.stdout?.setEncoding('utf8').on('data', appendLog);
	child.stderr?.setEncoding('utf8').on('data', appendLog);
	return { name, child, exited };
}

/** `n8n start`: the main process. */
function spawnN8n(instance: Instance, appendLog: (chunk: string) => void): Running {
	return spawnTracked('n8n', instance.bins.node24Bin, [instance.bins.n8nBin, 'start'], { cwd: instance.userFolder, env: instance.env }, appendLog);
}

/** `n8n worker` or `n8n webhook`. */
function spawnHelper(bins: Binaries, helper: Helper, appendLog: (chunk: string) => void): Running {
	return spawnTracked(helper.name, bins.node24Bin, [bins.n8nBin, helper.kind], { cwd: helper.userFolder, env: helper.env }, appendLog);
}

function isAlive({ child }: Running): boolean {
	return child.exitCode === null && child.signalCode === null;
}

/**
 * `signal` first (n8n and Redis shut down gracefully on SIGTERM, PostgreSQL fast on SIGINT), then
 * SIGKILL the whole group if it takes too long.
 */
async function stopProcess({ child, exited }: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	const pid = child.pid as number;
	if (child.exitCode === null && child.signalCode === null) {
		child.kill(signal);
		let timer: NodeJS.Timeout | undefined;
		const timedOut = await Promise.race([
			exited.then(() => false),
			new Promise<boolean>((done) => (timer = setTimeout(() => done(true), STOP_TIMEOUT_MS))),
		]);
		clearTimeout(timer); // a pending timer would keep Jest alive
		if (timedOut) {
			killGroup(pid, 'SIGKILL');
			await exited;
		}
	}
	killGroup(pid, 'SIGKILL'); // a task runner outliving its parent
	livePids.delete(pid);
}

/** SIGKILL to the whole group at once (a crash), then wait for the exit. */
async function killProcess({ child, exited }: Running): Promise<void> {
	killGroup(child.pid as number, 'SIGKILL');
	await exited;
	livePids.delete(child.pid as number);
}

/** The first of `names` that is an executable file on PATH or in /usr/local/bin, /usr/bin, /usr/sbin. */
async function findExecutable(...names: string[]): Promise<string | undefined> {
	const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/bin', '/usr/bin', '/usr/sbin'];
	for (const name of names) {
		for (const dir of dirs) {
			const candidate = join(dir, name);
			if (await access(candidate, fsConstants.X_OK).then(() => true, () => false)) return candidate;
		}
	}
	return undefined;
}

/**
 * PostgreSQL's server binaries: Debian keeps them out of PATH in /usr/lib/postgresql/<major>/bin
 * (the newest major wins); PG_BINDIR overrides; else initdb on PATH (other distributions).
 */
async function findPostgresBinDir(): Promise<string | undefined> {
	const hasServer = async (dir: string) =>
		(await Promise.all(['initdb', 'postgres', 'pg_isready', 'createdb'].map((bin) => access(join(dir, bin), fsConstants.X_OK).then(() => true, () => false)))).every(Boolean);
	if (process.env.PG_BINDIR) return (await hasServer(process.env.PG_BINDIR)) ? process.env.PG_BINDIR : undefined;
	const majors = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
	for (const major of majors.sort((a, b) => Number(b) - Number(a))) {
		const dir = join('/usr/lib/postgresql', major, 'bin');
		if (await hasServer(dir)) return dir;
	}
	const initdb = await findExecutable('initdb');
	return initdb && (await hasServer(resolve(initdb, '..'))) ? resolve(initdb, '..') : undefined;
}

interface Service {
	name: string;
	port: number;
	dir: string;
	process: Running;
	/** How the service stops quickly and cleanly. */
	stopSignal: NodeJS.Signals;
}

/** Whether Redis answers PING on a fresh connection. */
function redisPing(port: number): Promise<boolean> {
	return new Promise((done, fail) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(2_000, () => socket.destroy(new Error('PING timed out')));
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.on('data', (data) => {
			answer += data.toString('utf8');
			if (answer.includes('\r\n')) {
				socket.end();
				done(answer.startsWith('+PONG'));
			}
		});
		socket.once('error', fail);
	});
}

/** A private Redis: no persistence, loopback only, in the foreground so its PID is ours. */
async function startRedis(binary: string, port: number, appendLog: (chunk: string) => void): Promise<Service> {
	const dir = await mkdtemp(join(tmpdir(), 'voice-agent-redis-'));
	liveFolders.add(dir);
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
	const running = spawnTracked('redis-server', binary, args, { cwd: dir, env: process.env }, appendLog);
	const service: Service = { name: 'redis-server', port, dir, process: running, stopSignal: 'SIGTERM' };
	try {
		await pollUntil('Redis to answer PING', () => redisPing(port), Date.now() + SERVICE_START_TIMEOUT_MS, [running]);
	} catch (error) {
		await stopService(service);
		await discardFolder(dir);
		throw error;
	}
	return service;
}

/** The `postgres` system user's uid and gid when we are root (PostgreSQL refuses root); else ourselves. */
async function postgresIdentity(): Promise<{ uid?: number; gid?: number }> {
	if (process.getuid?.() !== 0) return {};
	try {
		const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
			execFileAsync('id', ['-u', 'postgres']),
			execFileAsync('id', ['-g', 'postgres']),
		]);
		return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
	} catch {
		throw new Error(`PostgreSQL refuses to run as root and there is no "postgres" system user (${INSTALL_HINT} creates it)`);
	}
}

/**
 * A private PostgreSQL cluster: initdb in a temp folder owned by the user it runs as, listening on
 * 127.0.0.1:<port> and a socket in that folder only; durability off (a throw-away test database);
 * password authentication over TCP, like a real deployment; then the database n8n uses.
 */
async function startPostgres(binDir: string, port: number, appendLog: (chunk: string) => void): Promise<Service> {
	const identity = await postgresIdentity();
	const dir = await mkdtemp(join(tmpdir(), 'voice-agent-pg-'));
	liveFolders.add(dir);
	const pwFile = join(dir, 'pwfile');
	await writeFile(pwFile, `${PG.password}\n`, { mode: 0o600 });
	if (identity.uid !== undefined && identity.gid !== undefined) {
		await chown(dir, identity.uid, identity.gid);
		await chown(pwFile, identity.uid, identity.gid);
	}
	const data = join(dir, 'data');
	const asPostgres = { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, ...identity };
	try {
		await execFileAsync(
			join(binDir, 'initdb'),
			['-D', data, '-U', PG.user, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
			asPostgres,
		);
	} catch (error) {
		const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
		await discardFolder(dir);
		throw new Error(`initdb failed: ${(error as Error).message}\n${stdout}${stderr}`);
	}
	const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=50'];
	const args = ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, ...settings.flatMap((setting) => ['-c', setting])];
	const running = spawnTracked('postgres', join(binDir, 'postgres'), args, asPostgres, appendLog);
	const service: Service = { name: 'postgres', port, dir, process: running, stopSignal: 'SIGINT' };
	const client = { env: { ...process.env, PGPASSWORD: PG.password } };
	try {
		await pollUntil(
			'PostgreSQL to accept connections',
			async () => {
				await execFileAsync(join(binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)], client);
				return true;
			},
			Date.now() + SERVICE_START_TIMEOUT_MS,
			[running],
		);
		await execFileAsync(join(binDir, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG.user, PG.database], client);
	} catch (error) {
		await stopService(service);
		await discardFolder(dir);
		throw error;
	}
	return service;
}

/** Deletes a temp folder this harness made (kept when KEEP_N8N=1) and forgets it. */
async function discardFolder(folder: string): Promise<void> {
	if (process.env.KEEP_N8N === '1') {
		console.log(`KEEP_N8N=1: kept ${folder}`);
	} else {
		await rm(folder, { recursive: true, force: true });
	}
	liveFolders.delete(folder);
}

async function stopService(service: Service): Promise<void> {
	await stopProcess(service.process, service.stopSignal);
}

/** Redis and PostgreSQL for queue mode (and nginx for the scaled topology), or an error saying what to install. */
async function queueBinaries(withNginx: boolean): Promise<{ redis: string; pgBinDir: string; nginx?: string }> {
	const [redis, pgBinDir, nginx] = await Promise.all([
		findExecutable('redis-server'),
		findPostgresBinDir(),
		withNginx ? findExecutable('nginx') : Promise.resolve(undefined),
	]);
	const missing = [redis ? '' : 'redis-server', pgBinDir ? '' : 'PostgreSQL (initdb, postgres, pg_isready, createdb)'].filter(Boolean);
	if (!redis || !pgBinDir) throw new Error(`queue mode needs ${missing.join(' and ')}: ${INSTALL_HINT}`);
	if (withNginx && !nginx) throw new Error(`the scaled topology needs nginx: ${NGINX_INSTALL_HINT}`);
	return { redis, pgBinDir, nginx };
}

interface LoadBalancerProcess {
	service: Service;
	setRouting(routing: Routing): Promise<void>;
	accessLog(): Promise<AccessEntry[]>;
}

/**
 * nginx with the shipped configuration (test/support/nginx.ts renders it), in the foreground in
 * its own prefix, as the current user. Ready when its control listener answers the routing.
 * Reloading (SIGHUP) starts new workers with the new file; the old ones finish their requests.
 */
async function startNginx(binary: string, ports: NginxPorts, routing: Routing, appendLog: (chunk: string) => void): Promise<LoadBalancerProcess> {
	const dir = await mkdtemp(join(tmpdir(), 'voice-agent-nginx-'));
	liveFolders.add(dir);
	const shipped = readShippedConfig();
	const asRoot = process.getuid?.() === 0;
	const writeConfig = async (wanted: Routing) => {
		await writeFile(join(dir, 'voice-agent.conf'), renderShippedConfig(shipped, ports, wanted));
		await writeFile(join(dir, 'nginx.conf'), mainConfig(dir, ports, wanted, asRoot));
	};
	const answersRouting = async (wanted: Routing) => {
		const response = await fetch(`http://127.0.0.1:${ports.control}/routing`);
		return (await response.text()) === wanted;
	};
	await writeConfig(routing);
	const running = spawnTracked('nginx', binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { cwd: dir, env: process.env }, appendLog);
	const service: Service = { name: 'nginx', port: ports.listen, dir, process: running, stopSignal: 'SIGTERM' };
	try {
		await pollUntil('nginx to answer', () => answersRouting(routing), Date.now() + SERVICE_START_TIMEOUT_MS, [running]);
	} catch (error) {
		await stopService(service);
		await discardFolder(dir);
		throw error;
	}
	return {
		service,
		async setRouting(wanted) {
			await writeConfig(wanted);
			running.child.kill('SIGHUP');
			await pollUntil(`nginx to reload with routing ${wanted}`, () => answersRouting(wanted), Date.now() + SERVICE_START_TIMEOUT_MS, [running]);
			appendLog(`[harness] nginx reloaded: routing ${wanted}\n`);
		},
		accessLog: async () => parseAccessLog(await readFile(join(dir, 'access.log'), 'utf8').catch(() => '')),
	};
}

/**
 * A workflow's static data as stored: n8n loads it per webhook request and saves it back whole
 * (WorkflowStaticDataService.saveStaticDataById), so this is what the next request anywhere sees.
 */
async function readStaticData(pgBinDir: string, pgPort: number, workflowId: string): Promise<IDataObject> {
	if (!/^\w+$/.test(workflowId)) throw new Error(`not a workflow id: ${workflowId}`);
	const { stdout } = await execFileAsync(
		join(pgBinDir, 'psql'),
		['-h', '127.0.0.1', '-p', String(pgPort), '-U', PG.user, '-d', PG.database, '-X', '-q', '-A', '-t', '-c', `SELECT "staticData" FROM workflow_entity WHERE id = '${workflowId}'`],
		{ env: { ...process.env, PGPASSWORD: PG.password }, maxBuffer: 64 * 1024 * 1024 },
	);
	const text = stdout.trim();
	return text === '' ? {} : (JSON.parse(text) as IDataObject);
}

// ---------------------------------------------------------------------------------------------
// Readiness

interface WebhookProbe {
	path: string;
	method: string;
}

/**
 * n8n's own Webhook nodes (enabled, literal path): their production URL is exactly
 * /webhook/<path>, so it can be checked directly. Other triggers' URLs depend on their node
 * description; the publication status covers them.
 */
function webhookProbes(workflows: object[]): WebhookProbe[] {
	type NodeJson = { type?: string; disabled?: boolean; webhookId?: string; parameters?: IDataObject };
	const probes: WebhookProbe[] = [];
	for (const workflow of workflows) {
		for (const node of (workflow as { nodes?: NodeJson[] }).nodes ?? []) {
			const { path, httpMethod } = node.parameters ?? {};
			if (node.type !== 'n8n-nodes-base.webhook' || node.disabled || !node.webhookId) continue;
			if (typeof path !== 'string' || path.startsWith('=')) continue;
			probes.push({ path, method: typeof httpMethod === 'string' ? httpMethod : '' });
		}
	}
	return probes;
}

/**
 * Whether n8n has registered a production webhook, asked without running the workflow: a CORS
 * preflight (OPTIONS with an Origin) is answered 204 and lists the path's registered methods in
 * Access-Control-Allow-Methods ("OPTIONS" alone while nothing is registered). Probing with the
 * node's own method instead would start a real execution every time it succeeds.
 */
async function webhookRegistered(baseUrl: string, probe: WebhookProbe): Promise<boolean> {
	const response = await fetch(`${baseUrl}/webhook/${probe.path}`, {
		method: 'OPTIONS',
		headers: { origin: 'http://e2e.invalid' },
	});
	await response.arrayBuffer();
	const methods = (response.headers.get('access-control-allow-methods') ?? '')
		.split(',')
		.map((method) => method.trim())
		.filter((method) => method !== '' && method !== 'OPTIONS');
	if (response.status !== 204 || methods.length === 0) return false;
	return probe.method === '' || methods.includes(probe.method);
}

/**
 * /healthz/readiness rather than /healthz: plain /healthz answers 200 before n8n has mounted its
 * REST routes (POST /rest/login is still a 404 then); readiness waits for the whole server.
 */
async function healthy(baseUrl: string): Promise<boolean> {
	const response = await fetch(`${baseUrl}/healthz/readiness`);
	await response.arrayBuffer();
	return response.status === 200;
}

/**
 * Polls `check` until it is true. A thrown error counts as "not yet" (n8n not listening, routes
 * not mounted) and is quoted if time runs out; an ActivationError, or one of the `watched`
 * processes exiting, ends the wait at once.
 */
async function pollUntil(what: string, check: () => Promise<boolean>, deadline: number, watched: Running[]) {
	let lastError = '';
	for (;;) {
		for (const { name, child } of watched) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before ${what}`);
			}
		}
		const done = await check().catch((error: unknown) => {
			if (error instanceof ActivationError) throw error;
			lastError = (error as Error).message;
			return false;
		});
		if (done) return;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}`);
		await sleep(200);
	}
}

// ---------------------------------------------------------------------------------------------
// REST as the owner

class OwnerSession {
	private cookie = '';

	constructor(private readonly baseUrl: string) {}

	/** Turns n8n's shell owner (created by its migrations) into a real one; once per folder. */
	async setupOwner(): Promise<void> {
		await this.request('POST', '/rest/owner/setup', OWNER);
	}

	async login(): Promise<void> {
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	}

	async get<T>(path: string): Promise<T> {
		return this.request<T>('GET', path);
	}

	async post<T>(path: string, body: object): Promise<T> {
		return this.request<T>('POST', path, body);
	}

	private async request<T>(method: string, path: string, body?: object): Promise<T> {
		const response = await fetch(`${this.baseUrl}${path}`, {
			method,
			headers: {
				...(body ? { 'content-type': 'application/json' } : {}),
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body ? JSON.stringify(body) : undefined,
		});
		// n8n issues (and refreshes) its session as the `n8n-auth` cookie.
		const auth = response.headers.getSetCookie().find((cookie) => cookie.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await response.text();
		if (!response.ok) throw new RestError(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`, response.status);
		return (JSON.parse(text) as { data: T }).data;
	}
}

class RestError extends Error {
	constructor(
		message: string,
		readonly status: number,
	) {
		super(message);
	}
}

interface PublicationStatus {
	status: 'not_published' | 'in_progress' | 'published' | 'partial' | 'failed';
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

/**
 * Whether n8n has activated a published workflow's triggers. n8n 2.41 activates published
 * workflows asynchronously after the server is up (its publication outbox), and reports the
 * outcome per trigger here: this covers webhook paths the harness cannot know (a node's path from
 * its description, under its webhookId) and turns an activation error into a clear failure.
 * Returns true when there is nothing to wait for (publication service switched off: 404).
 */
async function workflowActivated(session: OwnerSession, workflowId: string): Promise<boolean> {
	let publication: PublicationStatus;
	try {
		publication = await session.get<PublicationStatus>(`/rest/workflows/${workflowId}/publication-status`);
	} catch (error) {
		if (error instanceof RestError && error.status === 404) return true;
		throw error;
	}
	if (publication.status === 'failed' || publication.status === 'partial') {
		const errors = publication.triggers.map((t) => `${t.nodeId}: ${t.status} ${t.errorMessage ?? ''}`).join('; ');
		throw new ActivationError(`workflow ${workflowId} failed to activate (${errors})`);
	}
	// 'not_published' too is "not yet": the CLI published it, n8n has not picked it up yet.
	return publication.status === 'published';
}

/** What `n8n start` prints once it has activated every active workflow (n8n 1.x: commands/start.js). */
const EDITOR_READY = 'Editor is now accessible via';

/**
 * n8n 1.x: no publication status. By the time it prints EDITOR_READY, start-up activation has
 * run; a trigger that failed to activate is recorded as the workflow's activation error
 * (GET /rest/active-workflows/error/:id, ActivationErrorsService) and the workflow is left out of
 * GET /rest/active-workflows (active in the DB, without an activation error).
 */
async function legacyWorkflowActivated(session: OwnerSession, workflowId: string): Promise<boolean> {
	const error = await session.get<string | null | undefined>(`/rest/active-workflows/error/${workflowId}`);
	if (typeof error === 'string' && error !== '') {
		throw new ActivationError(`workflow ${workflowId} failed to activate: ${error}`);
	}
	const active = await session.get<string[]>('/rest/active-workflows');
	return active.includes(workflowId);
}

/** An error waiting cannot fix: stops the polling at once. */
class ActivationError extends Error {}

interface ExecutionPage {
	results: ExecutionSummary[];
	nextCursor: string | null;
}

/**
 * n8n 2.41.1 sorts the list by start time (`COALESCE(startedAt, createdAt) DESC`) but its cursor
 * pages by id (`id < <last row's id>`: ExecutionListV1Service.nextCursorFor,
 * ExecutionRepository.toQueryBuilder). Where executions start in another order than they were
 * created (queue mode: a worker takes jobs 20 at a time), a row can fall between two pages and is
 * never listed: measured, 899 of 900 executions in PostgreSQL. So the list is read twice and
 * merged: along n8n's cursor, and along start time (`startedBefore` = the oldest start seen,
 * inclusive), which does not skip; the cursor walk also covers executions that never started.
 * A list that fits in one page cannot skip anything, so that first page is all it costs.
 */
async function listExecutions(session: OwnerSession, workflowId: string, legacy = false): Promise<ExecutionSummary[]> {
	if (legacy) return listExecutionsLegacy(session, workflowId);
	const byId = new Map<string, ExecutionSummary>();
	const page = async (filter: object, cursor?: string | null) => {
		const found = await session.get<ExecutionPage>(
			`/rest/executions?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		for (const row of found.results) byId.set(row.id, row);
		return found;
	};
	// The first page is where both walks start: at most 100 finished rows, plus the running ones.
	const first = await page({ workflowId });
	// Along n8n's cursor.
	for (let cursor = first.nextCursor; cursor; ) cursor = (await page({ workflowId }, cursor)).nextCursor;
	// Along start time.
	let { results } = first;
	let startedBefore: string | undefined;
	for (;;) {
		const finished = results.filter((row) => row.status !== 'new' && row.status !== 'running');
		const oldest = finished.map((row) => row.startedAt).filter((at): at is string => !!at).sort()[0];
		if (finished.length < 100 || !oldest || oldest === startedBefore) break;
		startedBefore = oldest;
		({ results } = await page({ workflowId, startedBefore }));
	}
	return [...byId.values()].sort((a, b) => Number(b.id) - Number(a.id));
}

/**
 * n8n 1.x answers `{results, count, estimated}` without a cursor. With both `firstId` and `lastId`
 * it reads one id range (`id > firstId AND id < lastId`, newest first, at most 100 rows:
 * ExecutionService.findRangeWithCount, ExecutionRepository.findManyByRangeQuery), so pages chain by
 * the smallest id seen. (Without both, it answers "running first, then the latest finished".)
 */
async function listExecutionsLegacy(session: OwnerSession, workflowId: string): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const byId = new Map<string, ExecutionSummary>();
	let lastId = 2_147_483_647; // PostgreSQL's integer maximum: ids are int4 there
	for (;;) {
		const page = await session.get<{ results: ExecutionSummary[] }>(
			`/rest/executions?filter=${filter}&limit=100&firstId=0&lastId=${lastId}`,
		);
		for (const row of page.results) byId.set(String(row.id), { ...row, id: String(row.id) });
		if (page.results.length < 100) break;
		lastId = Math.min(...page.results.map((row) => Number(row.id)));
	}
	return [...byId.values()].sort((a, b) => Number(b.id) - Number(a.id));
}

async function readExecution(session: OwnerSession, id: string): Promise<ExecutionDetail> {
	// n8n stores run data serialised with `flatted` (it has cycles) and sends it as that string.
	const raw = await session.get<Omit<ExecutionDetail, 'data'> & { data: string }>(`/rest/executions/${id}`);
	return { ...raw, data: parseFlatted(raw.data) as IRunExecutionData };
}

/**
 * Signs in as OWNER to an n8n this process did not start (the one `npm run demo` runs) and reads
 * the executions of a workflow, as `N8n.executions` does.
 */
export async function signInAsOwner(baseUrl: string): Promise<Pick<N8n, 'executions'>> {
	const session = new OwnerSession(baseUrl);
	await session.login();
	return { executions: (workflowId) => listExecutions(session, workflowId, targetN8nMajor() < 2) };
}

// ---------------------------------------------------------------------------------------------
// Putting it together

export async function startN8n(opts: StartOptions): Promise<N8n> {
	const startedAt = Date.now();
	installSafetyNet();
	const mode: N8nMode = opts.mode ?? 'regular';
	const queue = mode !== 'regular';
	const scaled = mode === 'scaled';
	// Before anything slow: a machine without Redis, PostgreSQL (or nginx) fails at once, saying what to install.
	const queueBins = queue ? await queueBinaries(scaled) : undefined;
	const bins = await provision();
	const legacy = isLegacy(bins);
	const ownFolders: string[] = [];
	const newFolder = async (prefix: string): Promise<string> => {
		const folder = await mkdtemp(join(tmpdir(), prefix));
		liveFolders.add(folder);
		ownFolders.push(folder);
		return folder;
	};
	const userFolder = await newFolder('voice-agent-n8n-');
	const workerCount = scaled ? 2 : queue ? 1 : 0;
	const webhookCount = scaled ? 2 : 0;
	// main + broker, Redis, PostgreSQL; two per helper process (its port, its task runner broker); nginx and its control port.
	const ports = await freePorts(2 + (queue ? 2 : 0) + 2 * (workerCount + webhookCount) + (scaled ? 2 : 0));
	const [port, brokerPort] = ports.splice(0, 2);
	const [redisPort, pgPort] = queue ? ports.splice(0, 2) : [];
	const [lbPort, lbControlPort] = scaled ? ports.splice(-2) : [];
	const lbUrl = scaled ? `http://127.0.0.1:${lbPort}` : undefined;
	const extraEnv = opts.env ?? {};
	const sharedEnv = queue ? { ...queueEnv(redisPort, pgPort), ...(lbUrl ? scaledEnv(lbUrl) : {}), ...extraEnv } : extraEnv;
	const instance: Instance = {
		bins,
		// Scaled: the main keeps the editor, REST API and test webhooks; production webhooks go to the webhook processes.
		env: n8nEnv(bins, userFolder, port, brokerPort, scaled ? { ...sharedEnv, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' } : sharedEnv),
		port,
		userFolder,
		workflows: opts.workflows,
		helpers: [],
	};
	for (let index = 0; index < workerCount; index++) {
		const [healthPort, workerBrokerPort] = ports.splice(0, 2);
		const folder = await newFolder('voice-agent-n8n-worker-');
		instance.helpers.push({
			kind: 'worker',
			name: workerCount > 1 ? `n8n worker ${index + 1}` : 'n8n worker',
			userFolder: folder,
			// N8N_PORT as the main's: the worker builds URLs ($execution.resumeUrl) from it.
			env: n8nEnv(bins, folder, port, workerBrokerPort, { ...workerEnv(healthPort), ...sharedEnv }),
			readinessUrl: `http://127.0.0.1:${healthPort}`,
		});
	}
	for (let index = 0; index < webhookCount; index++) {
		const [webhookPort, webhookBrokerPort] = ports.splice(0, 2);
		const folder = await newFolder('voice-agent-n8n-webhook-');
		instance.helpers.push({
			kind: 'webhook',
			name: `n8n webhook ${index + 1}`,
			userFolder: folder,
			env: n8nEnv(bins, folder, webhookPort, webhookBrokerPort, sharedEnv),
			readinessUrl: `http://127.0.0.1:${webhookPort}`,
		});
	}
	const workers = instance.helpers.filter((helper) => helper.kind === 'worker');
	const webhookProcesses = instance.helpers.filter((helper) => helper.kind === 'webhook');
	const baseUrl = `http://127.0.0.1:${port}`;
	/** Where production webhooks are sent: the main, or in the scaled topology nginx. */
	const webhookBase = lbUrl ?? baseUrl;
	const session = new OwnerSession(baseUrl);
	const logs = { main: '', services: '', helpers: new Map<Helper, string>(instance.helpers.map((helper) => [helper, ''])) };
	const appendLog = (chunk: string) => {
		logs.main += chunk;
	};
	const helperLog = (helper: Helper) => (chunk: string) => {
		logs.helpers.set(helper, (logs.helpers.get(helper) ?? '') + chunk);
	};
	const appendServicesLog = (chunk: string) => {
		logs.services += chunk;
	};
	const workerLogs = (): string => workers.map((helper) => logs.helpers.get(helper) ?? '').join('\n');
	const servicesTitle = scaled ? 'redis, postgres and nginx' : 'redis and postgres';
	instance.log = appendLog;
	/** What a failure message quotes: the main's log, and in queue mode every helper's and the services'. */
	const logTails = (): string =>
		[
			`--- n8n log (tail) ---\n${tail(logs.main)}`,
			...instance.helpers.map((helper) => `--- ${helper.name} log (tail) ---\n${tail(logs.helpers.get(helper) ?? '')}`),
			...(queue ? [`--- ${servicesTitle} log (tail) ---\n${tail(logs.services)}`] : []),
		].join('\n');
	const timings: StartTimings = { servicesMs: 0, installMs: 0, importMs: 0, bootMs: 0, totalMs: 0 };
	let running: Running | undefined;
	const helperProcs = new Map<Helper, Running>();
	const services: Service[] = [];
	let loadBalancer: LoadBalancerProcess | undefined;

	/**
	 * Starts `n8n start` and waits until it is usable: the whole server is up, the owner is logged
	 * in, every workflow's triggers are activated and every literal webhook path is registered.
	 */
	const bootMain = async (firstBoot: boolean): Promise<void> => {
		const bootStartedAt = Date.now();
		const deadline = bootStartedAt + START_TIMEOUT_MS;
		const logFrom = logs.main.length;
		const server = spawnN8n(instance, appendLog);
		running = server;
		try {
			await pollUntil('/healthz/readiness', () => healthy(baseUrl), deadline, [server]);
			if (legacy) {
				// n8n 1.x listens (and answers readiness) before it activates the active workflows;
				// it prints "Editor is now accessible via" once ActiveWorkflowManager.init() is done.
				await pollUntil('n8n to activate its workflows ("Editor is now accessible via")', async () => logs.main.includes(EDITOR_READY, logFrom), deadline, [server]);
			}
			if (firstBoot) await session.setupOwner();
			await session.login();
			for (const workflow of instance.workflows) {
				const id = workflowId(workflow);
				const check = legacy ? () => legacyWorkflowActivated(session, id) : () => workflowActivated(session, id);
				await pollUntil(`activation of workflow ${id}`, check, deadline, [server]);
			}
			for (const probe of webhookProbes(instance.workflows)) {
				const what = `webhook ${probe.method || 'any method'} /webhook/${probe.path}`;
				await pollUntil(what, () => webhookRegistered(webhookBase, probe), deadline, [server]);
			}
		} catch (error) {
			await stopProcess(server);
			running = undefined;
			throw error;
		}
		appendLog(`[harness] n8n ready in ${Date.now() - bootStartedAt} ms\n`);
	};

	/**
	 * Starts one `n8n worker` or `n8n webhook` and waits until its readiness says it is up (a
	 * worker: DB, Redis and the job processor; a webhook process: its server listening).
	 */
	const bootHelper = async (helper: Helper): Promise<void> => {
		const bootStartedAt = Date.now();
		const append = helperLog(helper);
		const proc = spawnHelper(instance.bins, helper, append);
		helperProcs.set(helper, proc);
		try {
			await pollUntil(`the ${helper.name}'s /healthz/readiness`, () => healthy(helper.readinessUrl), bootStartedAt + START_TIMEOUT_MS, [proc]);
		} catch (error) {
			await stopProcess(proc);
			helperProcs.delete(helper);
			throw error;
		}
		append(`[harness] ${helper.name} ready in ${Date.now() - bootStartedAt} ms\n`);
	};

	const stopN8nProcesses = async (): Promise<void> => {
		await Promise.all([...[...helperProcs.values()].map((proc) => stopProcess(proc)), running && stopProcess(running)]);
		helperProcs.clear();
		running = undefined;
	};

	/** Main and helpers start in parallel; if any fails, none is left running. Throws with the logs' tails. */
	const boot = async (firstBoot: boolean): Promise<void> => {
		const results = await Promise.allSettled([bootMain(firstBoot), ...instance.helpers.map(bootHelper)]);
		const failures = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).message] : []));
		if (failures.length > 0) {
			await stopN8nProcesses();
			throw new Error(`${failures.join('\n')}\n${logTails()}`);
		}
	};

	const stop = async (): Promise<void> => {
		await stopN8nProcesses();
		// The services after n8n: n8n would otherwise log reconnect errors and stall its shutdown.
		await Promise.all(services.splice(0).map(stopService));
		loadBalancer = undefined;
		for (const folder of ownFolders.splice(0)) await discardFolder(folder);
	};

	/** Redis, PostgreSQL (and nginx) at once; whichever started is kept in `services` for stop(), even if another failed. */
	const startServices = async (): Promise<void> => {
		if (!queueBins) return;
		const servicesStartedAt = Date.now();
		const starting: Array<Promise<Service>> = [
			startRedis(queueBins.redis, redisPort, appendServicesLog),
			startPostgres(queueBins.pgBinDir, pgPort, appendServicesLog),
		];
		if (scaled && queueBins.nginx) {
			const nginxPorts: NginxPorts = {
				listen: lbPort,
				main: port,
				webhooks: webhookProcesses.map((helper) => Number(new URL(helper.readinessUrl).port)) as [number, number],
				control: lbControlPort,
			};
			starting.push(
				startNginx(queueBins.nginx, nginxPorts, opts.routing ?? 'hash', appendServicesLog).then((started) => {
					loadBalancer = started;
					return started.service;
				}),
			);
		}
		const results = await Promise.allSettled(starting);
		for (const result of results) {
			if (result.status === 'fulfilled') {
				services.push(result.value);
				ownFolders.push(result.value.dir);
			}
		}
		const failed = results.find((result) => result.status === 'rejected');
		if (failed) throw new Error(`${(failed.reason as Error).message}\n--- ${servicesTitle} log ---\n${tail(logs.services)}`);
		timings.servicesMs = Date.now() - servicesStartedAt;
		appendServicesLog(
			`[harness] redis on ${redisPort} and postgres on ${pgPort}${lbUrl ? ` and nginx on ${lbPort}` : ''} ready in ${timings.servicesMs} ms\n`,
		);
	};

	const install = async (): Promise<void> => {
		const installStartedAt = Date.now();
		if (typeof opts.installPackage === 'function') {
			await opts.installPackage(userFolder);
		} else if (opts.installPackage ?? true) {
			await installThisPackage(userFolder);
			// Workers and webhook processes load community packages from their own user folders: the same files.
			const nodes = join('.n8n', 'nodes');
			for (const helper of instance.helpers) await cp(join(userFolder, nodes), join(helper.userFolder, nodes), { recursive: true });
		}
		timings.installMs = Date.now() - installStartedAt;
	};

	try {
		const prepared = await Promise.allSettled([install(), startServices()]);
		const failed = prepared.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
		const importStartedAt = Date.now();
		await importAll(instance, opts.credentials ?? []);
		timings.importMs = Date.now() - importStartedAt;
		appendLog(`[harness] import and publish took ${timings.importMs} ms\n`);
		const bootStartedAt = Date.now();
		await boot(true);
		timings.bootMs = Date.now() - bootStartedAt;
	} catch (error) {
		await stop();
		throw error;
	}
	timings.totalMs = Date.now() - startedAt;
	appendLog(
		`[harness] ${mode} mode started in ${timings.totalMs} ms (services ${timings.servicesMs}, install ${timings.installMs}, ` +
			`import ${timings.importMs}, boot ${timings.bootMs})\n`,
	);

	const requireMode = (what: string, modes: N8nMode[]): void => {
		if (!modes.includes(mode)) throw new Error(`${what}() needs ${modes.join(' or ')} mode (startN8n({ mode: '${modes[0]}' }))`);
	};
	const helperAt = (list: Helper[], index: number, what: string): Helper => {
		const helper = list[index];
		if (!helper) throw new Error(`${what}: there is no process ${index} (this topology has ${list.length})`);
		return helper;
	};
	const killHelper = async (helper: Helper, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
		const proc = helperProcs.get(helper);
		if (!proc) return;
		helperProcs.delete(helper);
		await (signal === 'SIGKILL' ? killProcess(proc) : stopProcess(proc, 'SIGTERM'));
		helperLog(helper)(`[harness] ${helper.name} ${signal === 'SIGKILL' ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'}\n`);
	};
	const restartHelper = async (helper: Helper): Promise<void> => {
		const proc = helperProcs.get(helper);
		if (proc && isAlive(proc)) throw new Error(`the ${helper.name} is already running`);
		try {
			await bootHelper(helper);
		} catch (error) {
			throw new Error(`${(error as Error).message}\n${logTails()}`);
		}
	};
	const pidOf = (helper: Helper | undefined): number | undefined => {
		const proc = helper && helperProcs.get(helper);
		return proc && isAlive(proc) ? proc.child.pid : undefined;
	};

	const n8n: N8n = {
		baseUrl,
		port,
		userFolder,
		mode,
		version: bins.n8nVersion,
		timings,
		webhookUrl: (path) => `${webhookBase}/webhook/${path}`,
		webhookProcessUrls: webhookProcesses.map((helper) => helper.readinessUrl),
		executions: (id) => listExecutions(session, id, legacy),
		executionData: (id) => readExecution(session, id),
		testCredential: (credential) => session.post('/rest/credentials/test', { credentials: credential }),
		async waitForExecutions(id, count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			let last: ExecutionSummary[] = [];
			for (;;) {
				last = await listExecutions(session, id, legacy);
				if (last.length >= count && last.every((row) => DONE_STATUSES.includes(row.status))) return last;
				if (Date.now() > deadline) {
					const seen = last.map((row) => `${row.id}:${row.status}`).join(', ') || 'none';
					throw new Error(`timed out waiting for ${count} finished executions of ${id} (seen: ${seen})\n${logTails()}`);
				}
				await sleep(250);
			}
		},
		async restart() {
			await stopN8nProcesses();
			await boot(false);
		},
		stop,
		log: () =>
			[
				logs.main,
				...instance.helpers.map((helper) => `--- ${helper.name} log ---\n${logs.helpers.get(helper) ?? ''}`),
				...(queue ? [`--- ${servicesTitle} log ---\n${logs.services}`] : []),
			].join('\n'),
		workerLog: workerLogs,
		webhookProcessLog: (index) => logs.helpers.get(helperAt(webhookProcesses, index, 'webhookProcessLog')) ?? '',
		workerExecutionIds: () => [...workerLogs().matchAll(/Worker started execution (\d+) \(job /g)].map((match) => match[1]),
		async killWorker(signal = 'SIGKILL', index = 0) {
			requireMode('killWorker', ['queue', 'scaled']);
			await killHelper(helperAt(workers, index, 'killWorker'), signal);
		},
		async startWorker(index = 0) {
			requireMode('startWorker', ['queue', 'scaled']);
			await restartHelper(helperAt(workers, index, 'startWorker'));
		},
		async killWebhookProcess(index, signal = 'SIGKILL') {
			requireMode('killWebhookProcess', ['scaled']);
			await killHelper(helperAt(webhookProcesses, index, 'killWebhookProcess'), signal);
		},
		async startWebhookProcess(index) {
			requireMode('startWebhookProcess', ['scaled']);
			await restartHelper(helperAt(webhookProcesses, index, 'startWebhookProcess'));
		},
		async setRouting(routing) {
			requireMode('setRouting', ['scaled']);
			if (!loadBalancer) throw new Error('nginx is not running');
			await loadBalancer.setRouting(routing);
		},
		async accessLog() {
			requireMode('accessLog', ['scaled']);
			if (!loadBalancer) throw new Error('nginx is not running');
			return loadBalancer.accessLog();
		},
		async staticData(id) {
			requireMode('staticData', ['queue', 'scaled']);
			if (!queueBins) throw new Error('no PostgreSQL');
			return readStaticData(queueBins.pgBinDir, pgPort, id);
		},
		mainPid: () => (running && isAlive(running) ? running.child.pid : undefined),
		workerPid: (index = 0) => pidOf(workers[index]),
		retryExecution: (id, loadWorkflow = false) => session.post(`/rest/executions/${id}/retry`, { loadWorkflow }),
	};
	return n8n;
}

/**
 * Runs `body`; if it throws (a failed assertion too), prints n8n's log and rethrows, so a red
 * test shows what n8n said.
 */
export async function printLogOnFailure<T>(n8n: N8n | undefined, body: () => Promise<T>): Promise<T> {
	try {
		return await body();
	} catch (error) {
		if (n8n) console.log(`--- n8n log ---\n${n8n.log()}`);
		throw error;
	}
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** The JSON of every item a node output in one run (default: first run, first output). */
export function nodeOutputJson(detail: ExecutionDetail, nodeName: string, runIndex = 0, outputIndex = 0): IDataObject[] {
	const run = detail.data.resultData.runData[nodeName]?.[runIndex];
	if (!run) throw new Error(`node "${nodeName}" has no run ${runIndex} in execution ${detail.id}`);
	return (run.data?.main?.[outputIndex] ?? []).map((item) => item.json);
}

function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

function tail(text: string): string {
	return text.length > LOG_TAIL_CHARS ? `…${text.slice(-LOG_TAIL_CHARS)}` : text;
}
