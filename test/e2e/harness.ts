/**
 * A real n8n for end-to-end tests: provisions n8n (scripts/provision-n8n.sh), installs this
 * package into a fresh user folder, imports and publishes workflows with n8n's own CLI, starts
 * `n8n start` on free loopback ports and talks to its REST API as the owner.
 *
 * Facts about n8n 2.41.1 this relies on (read from its compiled source):
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
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseFlatted } from 'flatted';
import type { ExecutionStatus, IDataObject, IRunExecutionData } from 'n8n-workflow';

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
const LOG_TAIL_CHARS = 6_000;

export interface StartOptions {
	/** n8n workflow JSON objects (each with a fixed id; webhook nodes with a fixed webhookId). */
	workflows: object[];
	/** Unencrypted credentials for `n8n import:credentials`: {id, name, type, data: {...}}. */
	credentials?: object[];
	/** Extra env for every n8n process (CLI and server), e.g. queue mode. */
	env?: Record<string, string>;
	/** Install this repo's `npm pack` tarball (default true; run `npm run build` first). */
	installPackage?: boolean;
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
	userFolder: string;
	/** `${baseUrl}/webhook/${path}`: the production URL of a published webhook. */
	webhookUrl(path: string): string;
	/** All executions (any status) of a workflow, newest first. */
	executions(workflowId: string): Promise<ExecutionSummary[]>;
	/** One execution with its run data parsed. */
	executionData(id: string): Promise<ExecutionDetail>;
	/**
	 * Polls until at least `count` executions exist and all of them have finished (success, error,
	 * crashed or canceled; a `waiting` execution is not finished). Default timeout 30 s.
	 */
	waitForExecutions(workflowId: string, count: number, timeoutMs?: number): Promise<ExecutionSummary[]>;
	/** Stops n8n and starts it again on the same user folder and ports. */
	restart(): Promise<void>;
	/** Stops n8n and deletes its user folder (kept when KEEP_N8N=1). */
	stop(): Promise<void>;
	/** n8n's stdout and stderr so far, across restarts. */
	log(): string;
}

/** Statuses after which an execution will not change any more (n8n's TerminalExecutionStatus). */
const DONE_STATUSES: readonly ExecutionStatus[] = ['success', 'error', 'crashed', 'canceled'];

// ---------------------------------------------------------------------------------------------
// Provisioning and install

interface Binaries {
	node24Bin: string;
	n8nBin: string;
}

let binaries: Promise<Binaries> | undefined;

/** Runs the provisioning script once per test process; it reuses its own cache. */
function provision(): Promise<Binaries> {
	binaries ??= (async () => {
		const { stdout } = await execFileAsync('bash', [join(REPO_ROOT, 'scripts/provision-n8n.sh')], {
			cwd: REPO_ROOT,
			env: process.env,
			maxBuffer: 16 * 1024 * 1024,
		});
		const value = (name: string): string => {
			const match = new RegExp(`^${name}=(.+)$`, 'm').exec(stdout);
			if (!match) throw new Error(`provision-n8n.sh printed no ${name}=…:\n${stdout}`);
			return match[1].trim();
		};
		return { node24Bin: value('NODE24_BIN'), n8nBin: value('N8N_BIN') };
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
	env: NodeJS.ProcessEnv;
	port: number;
	userFolder: string;
	workflows: object[];
}

function n8nEnv(
	bins: Binaries,
	userFolder: string,
	port: number,
	brokerPort: number,
	extra: Record<string, string>,
): NodeJS.ProcessEnv {
	// Jest sets NODE_ENV=test, and n8n then refuses to load nodes ("Not available in tests").
	const { NODE_ENV: _jestNodeEnv, ...inherited } = process.env;
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
	try {
		const { stdout, stderr } = await execFileAsync(instance.bins.node24Bin, [instance.bins.n8nBin, ...args], {
			cwd: instance.userFolder,
			env: instance.env,
			maxBuffer: 64 * 1024 * 1024,
		});
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
// The server process

interface Running {
	child: ChildProcess;
	exited: Promise<void>;
}

/** PIDs of live n8n servers and folders to delete, for the process-exit safety net. */
const livePids = new Set<number>();
const liveFolders = new Set<string>();

/**
 * n8n runs in its own process group (detached) so that killing the group also ends its task
 * runner child. Because Ctrl-C then no longer reaches n8n, the test process forwards its own
 * death: on exit and on SIGINT/SIGTERM/SIGHUP it kills every group it started.
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

function spawnServer(instance: Instance, appendLog: (chunk: string) => void): Running {
	const child = spawn(instance.bins.node24Bin, [instance.bins.n8nBin, 'start'], {
		cwd: instance.userFolder,
		env: instance.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (child.pid === undefined) throw new Error('could not spawn n8n');
	livePids.add(child.pid);
	child.stdout?.setEncoding('utf8').on('data', appendLog);
	child.stderr?.setEncoding('utf8').on('data', appendLog);
	const exited = new Promise<void>((done) => child.once('exit', () => done()));
	return { child, exited };
}

/** SIGTERM (n8n shuts down gracefully), then SIGKILL the whole group if it takes too long. */
async function stopServer({ child, exited }: Running): Promise<void> {
	const pid = child.pid as number;
	if (child.exitCode === null && child.signalCode === null) {
		child.kill('SIGTERM');
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
 * not mounted) and is quoted if time runs out; an ActivationError ends the wait at once.
 */
async function pollUntil(what: string, check: () => Promise<boolean>, deadline: number, server: Running) {
	let lastError = '';
	for (;;) {
		if (server.child.exitCode !== null || server.child.signalCode !== null) {
			throw new Error(`n8n exited (code ${server.child.exitCode}, signal ${server.child.signalCode}) before ${what}`);
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

/** An error waiting cannot fix: stops the polling at once. */
class ActivationError extends Error {}

interface ExecutionPage {
	results: ExecutionSummary[];
	nextCursor: string | null;
}

async function listExecutions(session: OwnerSession, workflowId: string): Promise<ExecutionSummary[]> {
	// The filter is JSON in the query string; pages are at most 100 rows and chained by cursor.
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const byId = new Map<string, ExecutionSummary>();
	let cursor: string | null = null;
	do {
		const page: ExecutionPage = await session.get<ExecutionPage>(
			`/rest/executions?filter=${filter}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		for (const row of page.results) byId.set(row.id, row);
		cursor = page.nextCursor;
	} while (cursor);
	return [...byId.values()].sort((a, b) => Number(b.id) - Number(a.id));
}

async function readExecution(session: OwnerSession, id: string): Promise<ExecutionDetail> {
	// n8n stores run data serialised with `flatted` (it has cycles) and sends it as that string.
	const raw = await session.get<Omit<ExecutionDetail, 'data'> & { data: string }>(`/rest/executions/${id}`);
	return { ...raw, data: parseFlatted(raw.data) as IRunExecutionData };
}

// ---------------------------------------------------------------------------------------------
// Putting it together

export async function startN8n(opts: StartOptions): Promise<N8n> {
	installSafetyNet();
	const bins = await provision();
	const userFolder = await mkdtemp(join(tmpdir(), 'voice-agent-n8n-'));
	liveFolders.add(userFolder);
	const [port, brokerPort] = await freePorts(2);
	const instance: Instance = {
		bins,
		env: n8nEnv(bins, userFolder, port, brokerPort, opts.env ?? {}),
		port,
		userFolder,
		workflows: opts.workflows,
	};
	const baseUrl = `http://127.0.0.1:${port}`;
	const session = new OwnerSession(baseUrl);
	let logText = '';
	const appendLog = (chunk: string) => {
		logText += chunk;
	};
	let running: Running | undefined;

	/**
	 * Starts `n8n start` and waits until it is usable: the whole server is up, the owner is logged
	 * in, every workflow's triggers are activated and every literal webhook path is registered.
	 * Throws with the tail of n8n's log.
	 */
	const boot = async (firstBoot: boolean): Promise<void> => {
		const startedAt = Date.now();
		const deadline = startedAt + START_TIMEOUT_MS;
		const server = spawnServer(instance, appendLog);
		running = server;
		try {
			await pollUntil('/healthz/readiness', () => healthy(baseUrl), deadline, server);
			if (firstBoot) await session.setupOwner();
			await session.login();
			for (const workflow of instance.workflows) {
				const id = workflowId(workflow);
				await pollUntil(`activation of workflow ${id}`, () => workflowActivated(session, id), deadline, server);
			}
			for (const probe of webhookProbes(instance.workflows)) {
				const what = `webhook ${probe.method || 'any method'} /webhook/${probe.path}`;
				await pollUntil(what, () => webhookRegistered(baseUrl, probe), deadline, server);
			}
		} catch (error) {
			await stopServer(server);
			running = undefined;
			throw new Error(`${(error as Error).message}\n--- n8n log (tail) ---\n${tail(logText)}`);
		}
		appendLog(`[harness] n8n ready in ${Date.now() - startedAt} ms\n`);
	};

	const stop = async (): Promise<void> => {
		if (running) await stopServer(running);
		running = undefined;
		if (process.env.KEEP_N8N === '1') {
			console.log(`KEEP_N8N=1: n8n user folder kept at ${userFolder}`);
		} else {
			await rm(userFolder, { recursive: true, force: true });
		}
		liveFolders.delete(userFolder);
	};

	try {
		if (opts.installPackage ?? true) await installThisPackage(userFolder);
		const importStartedAt = Date.now();
		await importAll(instance, opts.credentials ?? []);
		appendLog(`[harness] import and publish took ${Date.now() - importStartedAt} ms\n`);
		await boot(true);
	} catch (error) {
		await stop();
		throw error;
	}

	const n8n: N8n = {
		baseUrl,
		port,
		userFolder,
		webhookUrl: (path) => `${baseUrl}/webhook/${path}`,
		executions: (id) => listExecutions(session, id),
		executionData: (id) => readExecution(session, id),
		async waitForExecutions(id, count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			let last: ExecutionSummary[] = [];
			for (;;) {
				last = await listExecutions(session, id);
				if (last.length >= count && last.every((row) => DONE_STATUSES.includes(row.status))) return last;
				if (Date.now() > deadline) {
					const seen = last.map((row) => `${row.id}:${row.status}`).join(', ') || 'none';
					throw new Error(`timed out waiting for ${count} finished executions of ${id} (seen: ${seen})\n--- n8n log (tail) ---\n${tail(logText)}`);
				}
				await sleep(250);
			}
		},
		async restart() {
			if (running) await stopServer(running);
			await boot(false);
		},
		stop,
		log: () => logText,
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
