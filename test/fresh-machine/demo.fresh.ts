/**
 * `npm run demo` as the README says: started with that command, it prints the editor URL and, for
 * every example, its webhook URL and an `npm run send` command. Each printed command, run as a
 * user would paste it, is answered as the README says and creates exactly one execution (read
 * back from n8n); Ctrl-C (SIGINT to the terminal's process group) stops the demo and its n8n.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';

import { signInAsOwner, type ExecutionSummary } from '../e2e/harness';
import { loadExamples } from '../support/examples';

const ROOT = resolve(__dirname, '..', '..');
/** The demo builds the package and starts n8n, PostgreSQL, a stub CRM and a stand-in model. */
const READY_TIMEOUT_MS = 600_000;
/** Examples whose credentials are placeholders (the demo says so): their runs fail, their deliveries do not. */
const NEEDS_OWN_ACCOUNT = /HubSpot|Google Sheets/;

interface Printed {
	name: string;
	url: string;
	command: string;
	platform: string;
}

let demo: ChildProcess | undefined;
let stdout = '';
let stderr = '';

function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolvePromise, reject) => {
		const tick = () => {
			if (done()) return resolvePromise();
			if (demo?.exitCode !== null && demo?.exitCode !== undefined && what !== 'the demo to exit') {
				return reject(new Error(`the demo exited (${demo.exitCode}) before ${what}:\n${stdout}\n${stderr.slice(-4000)}`));
			}
			if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}:\n${stdout}\n${stderr.slice(-4000)}`));
			setTimeout(tick, 250);
		};
		tick();
	});
}

/** Runs one printed command through a shell, exactly as printed. */
function runPrinted(command: string): Promise<{ status: number | null; output: string }> {
	return new Promise((resolvePromise) => {
		const child = spawn('bash', ['-c', command], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.once('close', (status) => resolvePromise({ status, output }));
	});
}

/** Whether anything accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
	return new Promise((resolvePromise) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolvePromise(true);
		});
		socket.once('error', () => resolvePromise(false));
	});
}

/** Processes started with N8N_PORT=<port>: the demo's n8n and its task runners. */
function n8nProcesses(port: number): number[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.filter((pid) => {
			try {
				return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`N8N_PORT=${port}`);
			} catch {
				return false; // gone meanwhile, or not ours to read
			}
		})
		.map(Number);
}

afterAll(() => {
	// A failed test must not leave the demo behind.
	if (demo?.pid && demo.exitCode === null && demo.signalCode === null) {
		try {
			process.kill(-demo.pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
});

describe('npm run demo', () => {
	let editorUrl: string;
	let printed: Printed[];

	beforeAll(async () => {
		// detached: its own process group, like a terminal's foreground job, so that SIGINT reaches
		// npm and the demo together, as Ctrl-C does.
		demo = spawn('npm', ['run', 'demo'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		demo.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		demo.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		await waitFor('its URLs', () => stdout.includes('Ctrl-C stops n8n.'), READY_TIMEOUT_MS);
		editorUrl = /^n8n editor:\s+(http:\/\/\S+)$/m.exec(stdout)?.[1] ?? '';
		printed = [...stdout.matchAll(/^(\S.*)\n {2}(http:\/\/\S+)\n {2}(npm run send -- .*)$/gm)].map(([, name, url, command]) => ({
			name,
			url,
			command,
			platform: /--platform (\S+)/.exec(command)?.[1] ?? '',
		}));
	});

	test('prints the editor URL, and a webhook URL and a send command for every example', () => {
		expect(editorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const examples = loadExamples();
		expect(printed.map((entry) => entry.name).sort()).toEqual(examples.map((example) => example.workflow.name).sort());
		for (const entry of printed) expect(entry.url).toMatch(new RegExp(`^${editorUrl}/webhook/`));
		expect(new Set(printed.map((entry) => entry.platform))).toEqual(new Set(['agntix', 'elevenlabs', 'layercode', 'retell', 'speaknode', 'vapi']));
	});

	test('says it installs n8n only when it does: the cache is warm here, and checked', () => {
		expect(stderr).toContain('smoke check passed');
		expect(`${stdout}${stderr}`).not.toMatch(/installing/i);
	});

	test('every printed send is answered as the README says and creates exactly one execution', async () => {
		const owner = await signInAsOwner(editorUrl);
		const idByName = new Map(loadExamples().map((example) => [example.workflow.name, example.workflow.id]));
		const problems: string[] = [];
		for (const entry of printed) {
			const { status, output } = await runPrinted(entry.command);
			const where = `${entry.name} (${entry.command.slice(0, 60)}…)`;
			if (status !== 0) problems.push(`${where}: exit ${status}\n${output}`);
			if (entry.platform === 'layercode') {
				// An SSE turn: frames as they arrive, the last one response.end.
				const frames = [...output.matchAll(/^\s+\d+ ms {2}(\{.*\})$/gm)].map((match) => JSON.parse(match[1]) as { type: string });
				if (!output.includes('HTTP 200 text/event-stream')) problems.push(`${where}: not an SSE answer\n${output}`);
				if (!frames.some((frame) => frame.type === 'response.tts')) problems.push(`${where}: no response.tts\n${output}`);
				if (frames.at(-1)?.type !== 'response.end') problems.push(`${where}: the last frame is not response.end\n${output}`);
			} else if (!output.includes('HTTP 200') || !output.includes('{"status":"accepted"}')) {
				problems.push(`${where}: not 200 {"status":"accepted"}\n${output}`);
			}
		}
		expect(problems).toEqual([]);

		// Each delivery's execution, finished (n8n lists it as soon as it exists).
		const finished = (rows: ExecutionSummary[]) => rows.length > 0 && rows.every((row) => !['new', 'running', 'waiting'].includes(row.status));
		for (const entry of printed) {
			const deadline = Date.now() + 60_000;
			while (!finished(await owner.executions(idByName.get(entry.name)!)) && Date.now() < deadline) {
				await new Promise((wait) => setTimeout(wait, 250));
			}
		}
		// A moment for any second execution a send might have caused, then count again.
		await new Promise((wait) => setTimeout(wait, 2_000));
		for (const entry of printed) {
			const rows = await owner.executions(idByName.get(entry.name)!);
			expect({ name: entry.name, executions: rows.length }).toEqual({ name: entry.name, executions: 1 });
			if (!NEEDS_OWN_ACCOUNT.test(entry.name)) expect({ name: entry.name, status: rows[0].status }).toEqual({ name: entry.name, status: 'success' });
		}
	});

	test("the demo's n8n runs with the recommended settings (docs/performance.md)", () => {
		const port = Number(new URL(editorUrl).port);
		const environments = n8nProcesses(port).map((pid) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'));
		expect(environments.length).toBeGreaterThan(0);
		for (const environment of environments) expect(environment).toContain('N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true');
		expect(stdout).toContain('n8n settings: N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true');
	});

	test('Ctrl-C stops the demo, and its n8n is gone', async () => {
		const port = Number(new URL(editorUrl).port);
		expect(n8nProcesses(port).length).toBeGreaterThan(0); // the check below can see n8n
		process.kill(-demo!.pid!, 'SIGINT');
		await waitFor('the demo to exit', () => demo!.exitCode !== null || demo!.signalCode !== null, 90_000);
		expect(stdout).toContain('Stopping n8n…');
		expect(await listening(port)).toBe(false);
		expect(n8nProcesses(port)).toEqual([]);
	});
});
