// A private, throw-away PostgreSQL for the example workflows (the "CRM" the Postgres examples
// write to): the same approach as the harness's queue-mode database (test/e2e/harness.ts), kept
// separate so the examples' tables never share a database with n8n's own.
//
// - Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin (PG_BINDIR overrides).
// - PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` system
//   user, in a temp folder that user owns.
// - Password authentication over TCP on 127.0.0.1 (like a real deployment: n8n's Postgres
//   credential logs in with user and password); the socket lives in the temp folder only.
// - Queries from the tests go through `psql` (in the same bin folder), answering JSON.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants as fsConstants, rmSync } from 'node:fs';
import { access, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const START_TIMEOUT_MS = 30_000;

export interface PostgresOptions {
	user?: string;
	password?: string;
	database?: string;
	/** Receives the server's log lines. */
	log?: (chunk: string) => void;
}

export interface Postgres {
	host: '127.0.0.1';
	port: number;
	user: string;
	password: string;
	database: string;
	/** Runs SQL (any number of statements) with psql; stops at the first error and throws it. */
	exec(sql: string): Promise<void>;
	/** The rows of one SELECT, as JSON objects (jsonb columns stay objects, timestamps are ISO strings). */
	rows<T = Record<string, unknown>>(select: string): Promise<T[]>;
	/** The server's log so far. */
	log(): string;
	stop(): Promise<void>;
}

/** PostgreSQL's server binaries: PG_BINDIR, else the newest /usr/lib/postgresql/<major>/bin with initdb, postgres and psql. */
export async function findPostgresBinDir(): Promise<string | undefined> {
	const usable = async (dir: string) =>
		(
			await Promise.all(['initdb', 'postgres', 'pg_isready', 'createdb', 'psql'].map((bin) => access(join(dir, bin), fsConstants.X_OK).then(() => true, () => false)))
		).every(Boolean);
	if (process.env.PG_BINDIR) return (await usable(process.env.PG_BINDIR)) ? process.env.PG_BINDIR : undefined;
	const majors = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
	for (const major of majors.sort((a, b) => Number(b) - Number(a))) {
		const dir = join('/usr/lib/postgresql', major, 'bin');
		if (await usable(dir)) return dir;
	}
	return undefined;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((done, fail) => {
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => done());
	});
	const { port } = server.address() as AddressInfo;
	await new Promise((done) => server.close(done));
	return port;
}

async function postgresIdentity(): Promise<{ uid?: number; gid?: number }> {
	if (process.getuid?.() !== 0) return {};
	try {
		const [{ stdout: uid }, { stdout: gid }] = await Promise.all([execFileAsync('id', ['-u', 'postgres']), execFileAsync('id', ['-g', 'postgres'])]);
		return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
	} catch {
		throw new Error('PostgreSQL refuses to run as root and there is no "postgres" system user (apt-get install postgresql creates it)');
	}
}

/** Started here and not stopped yet: killed (process group) and deleted if the test process exits first. */
const live = new Map<number, string>();
let safetyNet = false;
function installSafetyNet(): void {
	if (safetyNet) return;
	safetyNet = true;
	process.on('exit', () => {
		for (const [pid, dir] of live) {
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// already gone
			}
			if (process.env.KEEP_N8N !== '1') rmSync(dir, { recursive: true, force: true });
		}
	});
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
	const binDir = await findPostgresBinDir();
	if (!binDir) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BINDIR)');
	installSafetyNet();
	const user = options.user ?? 'crm';
	const password = options.password ?? 'crm-e2e-password';
	const database = options.database ?? 'crm';
	let logText = '';
	const appendLog = (chunk: string) => {
		logText += chunk;
		options.log?.(chunk);
	};
	const identity = await postgresIdentity();
	const dir = await mkdtemp(join(tmpdir(), 'voice-agent-crm-pg-'));
	const pwFile = join(dir, 'pwfile');
	await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
	if (identity.uid !== undefined && identity.gid !== undefined) {
		await chown(dir, identity.uid, identity.gid);
		await chown(pwFile, identity.uid, identity.gid);
	}
	const data = join(dir, 'data');
	const asPostgres = { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, ...identity };
	const discard = () => (process.env.KEEP_N8N === '1' ? Promise.resolve() : rm(dir, { recursive: true, force: true }));
	try {
		await execFileAsync(
			join(binDir, 'initdb'),
			['-D', data, '-U', user, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'],
			asPostgres,
		);
	} catch (error) {
		const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
		await discard();
		throw new Error(`initdb failed: ${(error as Error).message}\n${stdout}${stderr}`);
	}
	const port = await freePort();
	const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=30'];
	const child: ChildProcess = spawn(
		join(binDir, 'postgres'),
		['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, ...settings.flatMap((setting) => ['-c', setting])],
		{ ...asPostgres, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const exited = new Promise<void>((done) => {
		child.once('exit', () => done());
		child.once('error', (error) => {
			appendLog(`[postgres] ${error.message}\n`);
			done();
		});
	});
	if (child.pid === undefined) {
		await discard();
		throw new Error('could not spawn postgres');
	}
	const pid = child.pid;
	live.set(pid, dir);
	child.stdout?.setEncoding('utf8').on('data', appendLog);
	child.stderr?.setEncoding('utf8').on('data', appendLog);

	const clientEnv = { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' };
	const stop = async (): Promise<void> => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGINT'); // "fast" shutdown
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([exited, new Promise<void>((done) => (timer = setTimeout(done, 10_000)))]);
			clearTimeout(timer);
		}
		try {
			process.kill(-pid, 'SIGKILL'); // backends outliving the postmaster
		} catch {
			// already gone
		}
		live.delete(pid);
		await discard();
	};

	const deadline = Date.now() + START_TIMEOUT_MS;
	try {
		for (;;) {
			if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited before accepting connections:\n${logText}`);
			const ready = await execFileAsync(join(binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)], { env: clientEnv }).then(
				() => true,
				() => false,
			);
			if (ready) break;
			if (Date.now() > deadline) throw new Error(`timed out waiting for PostgreSQL to accept connections:\n${logText}`);
			await new Promise((done) => setTimeout(done, 100));
		}
		await execFileAsync(join(binDir, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], { env: clientEnv });
	} catch (error) {
		await stop();
		throw error;
	}

	/** psql with the SQL on stdin (`-f -`): any number of statements, stopping at the first error. */
	const run = (sql: string): Promise<string> =>
		new Promise((done, fail) => {
			const proc = execFile(
				join(binDir, 'psql'),
				['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
				{ env: clientEnv, maxBuffer: 16 * 1024 * 1024 },
				(error, stdout, stderr) => (error ? fail(new Error(`psql failed: ${stderr || error.message}`)) : done(stdout)),
			);
			proc.stdin?.end(sql);
		});

	return {
		host: '127.0.0.1',
		port,
		user,
		password,
		database,
		async exec(sql) {
			await run(sql);
		},
		async rows<T>(select: string) {
			const out = await run(`SELECT coalesce(json_agg(row_to_json(q)), '[]'::json) FROM (${select.trim().replace(/;$/, '')}) q;`);
			return JSON.parse(out.trim() || '[]') as T[];
		},
		log: () => logText,
		stop,
	};
}
