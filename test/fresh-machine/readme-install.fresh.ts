/**
 * The README's first screen, followed literally: its Install block (build, `npm pack`, install the
 * tarball into `~/.n8n/nodes` with npm) puts the package where n8n loads it, and its quick start's
 * step 5 (`npm run send …`) is answered `accepted` by a published Agntix trigger, with exactly one
 * execution holding the normalised event; the same command with another secret is refused.
 * `~` is a fresh user folder: n8n reads community packages from `<N8N_USER_FOLDER>/.n8n/nodes`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { nodeOutputJson, startN8n, type N8n } from '../e2e/harness';
import { secretCredential, triggerOnly, triggerPath } from '../e2e/workflows';

const ROOT = resolve(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WORKFLOW = triggerOnly('readmeQuickStart', 'readme-agntix', { platform: 'agntix', verification: 'standardWebhooks' });

/** The section of the README under a `## ` heading. */
function section(heading: string): string {
	const start = README.indexOf(`\n## ${heading}\n`);
	if (start < 0) throw new Error(`README has no "## ${heading}"`);
	const end = README.indexOf('\n## ', start + 1);
	return README.slice(start, end < 0 ? undefined : end);
}

/** The README's install commands, one per line (comments dropped). */
const installLines = /```sh\n([\s\S]*?)```/
	.exec(section('Install'))![1]
	.split('\n')
	.map((line) => line.replace(/\s+#.*$/, '').trim())
	.filter((line) => line !== '');

function run(command: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; output: string }> {
	return new Promise((resolvePromise) => {
		const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.once('close', (status) => resolvePromise({ status, output }));
	});
}

let n8n: N8n | undefined;
let tarball = '';
let installOutput = '';

beforeAll(async () => {
	// Line 1 clones this repository: the test runs in a clone of it already.
	expect(installLines[0]).toMatch(/^git clone https:\/\/github\.com\/n8n-nodes-voice-agent\/n8n-nodes-voice-agent && cd n8n-nodes-voice-agent$/);
	const before = new Set(readdirSync(ROOT));
	const pack = await run(installLines[1], ROOT);
	if (pack.status !== 0) throw new Error(`${installLines[1]} failed:\n${pack.output}`);
	tarball = readdirSync(ROOT).find((name) => !before.has(name) && /^n8n-nodes-voice-agent-.+\.tgz$/.test(name)) ?? '';
	if (!tarball) throw new Error(`${installLines[1]} wrote no tarball:\n${pack.output}`);
	const intoNodes = installLines
		.slice(2)
		.join('\n')
		.replace(/\/path\/to\/n8n-nodes-voice-agent-<version>\.tgz/, join(ROOT, tarball));
	n8n = await startN8n({
		workflows: [WORKFLOW],
		credentials: [secretCredential(SECRET)],
		installPackage: async (userFolder) => {
			const { N8N_VERSION: _picked, ...env } = process.env;
			const installed = await run(intoNodes, ROOT, { ...env, HOME: userFolder });
			installOutput = installed.output;
			if (installed.status !== 0) throw new Error(`the README's install into ~/.n8n/nodes failed:\n${installed.output}`);
			// What npm installed there: the package alone (--omit=peer: n8n brings n8n-workflow).
			expect(readdirSync(join(userFolder, '.n8n', 'nodes', 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual([
				'n8n-nodes-voice-agent',
			]);
		},
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	if (tarball) rmSync(join(ROOT, tarball), { force: true });
});

test("the README's install commands are the ones run here", () => {
	expect(installLines).toHaveLength(4);
	expect(installLines[2]).toContain('~/.n8n/nodes');
	expect(installLines[3]).toMatch(/^npm install --omit=peer \/path\/to\/n8n-nodes-voice-agent-<version>\.tgz/);
	expect(installOutput).toMatch(/added 1 package/);
});

test("step 5's command is answered accepted and runs the workflow once; another secret is refused", async () => {
	const step = /`(npm run send -- --platform <platform> --url <production URL> --secret '<secret>')`/.exec(
		section('Quick start: a verified delivery in five steps'),
	);
	expect(step).not.toBeNull();
	const command = (secret: string) =>
		step![1]
			.replace('<platform>', 'agntix')
			.replace('<production URL>', n8n!.webhookUrl(triggerPath('readme-agntix')))
			.replace('<secret>', secret);

	const genuine = await run(command(SECRET), ROOT);
	expect(genuine.output).toContain('HTTP 200');
	expect(genuine.output).toContain('{"status":"accepted"}');
	const [execution] = await n8n!.waitForExecutions(WORKFLOW.id, 1);
	const detail = await n8n!.executionData(execution.id);
	const [item] = nodeOutputJson(detail, 'Voice Agent Trigger');
	expect(item).toMatchObject({ provider: 'agntix', event: 'session.ended', sentiment: expect.any(String) });

	const forged = await run(command('whsec_' + Buffer.from('another secret, 32 bytes long...').toString('base64')), ROOT);
	expect(forged.output).toContain('HTTP 401');
	expect(forged.output).toContain('signature mismatch');
	expect(await n8n!.executions(WORKFLOW.id)).toHaveLength(1);
});
