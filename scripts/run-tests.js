#!/usr/bin/env node
// `npm test`: installs the system packages it needs, then lint, type-check, build, unit tests, the
// package checks (test/package: what the package ships, and n8n's verification scanner on the
// source tree and the packed tarball), and for each tested n8n (scripts/n8n-versions.json: the
// primary 2.x, then the 1.x line) its provisioning and end-to-end suites (the primary also runs
// the fresh-machine suite: provisioning repair and `npm run demo`), then the reliability
// scenarios (regular, queue mode, and the scaled topology: nginx, webhook processes, two
// workers). Prints how long each stage took and ends with one line of totals: `N passed, N failed`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-agent-tests-'));
const stages = [];
const N8N_VERSIONS = require('./n8n-versions.json').n8n;

function run(name, command, args, env = {}) {
	const started = Date.now();
	const shown = Object.entries(env).map(([key, value]) => `${key}=${value} `).join('');
	console.log(`\n=== ${name}: ${shown}${command} ${args.join(' ')}`);
	const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
	return { seconds: (Date.now() - started) / 1000, ok: status === 0 };
}

/** A check that is one test: passes or fails as a whole (lint, type-check, build). */
function check(name, command, args, env = {}) {
	const { seconds, ok } = run(name, command, args, env);
	stages.push({ name, seconds, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
	return ok;
}

/** A jest suite: counts its tests; a suite that could not run counts as one failure. */
function jest(name, config, extra = [], env = {}) {
	const output = path.join(resultsDir, `${name.replace(/\W+/g, '-')}.json`);
	const { seconds } = run(name, 'npx', ['jest', '--config', config, '--json', `--outputFile=${output}`, ...extra], env);
	let passed = 0;
	let failed = 1;
	if (fs.existsSync(output)) {
		const result = JSON.parse(fs.readFileSync(output, 'utf8'));
		passed = result.numPassedTests;
		// Suites that crashed before running their tests count as failures too.
		failed = result.numFailedTests + result.numRuntimeErrorTestSuites;
		if (result.numTotalTests === 0) failed += 1; // a suite that ran nothing proves nothing
	}
	stages.push({ name, seconds, passed, failed });
}

/** Whether an executable is on PATH (or in the sbin folders a non-login shell may lack). */
function onPath(name) {
	const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/bin', '/usr/bin', '/usr/sbin'];
	return dirs.some((dir) => dir && fs.existsSync(path.join(dir, name)));
}

/** PostgreSQL's server, where test/support/postgres.ts looks for it (Debian keeps it off PATH). */
function hasPostgres() {
	const server = (dir) => ['initdb', 'postgres', 'pg_isready', 'createdb'].every((bin) => fs.existsSync(path.join(dir, bin)));
	if (process.env.PG_BINDIR) return server(process.env.PG_BINDIR);
	const majors = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql') : [];
	return majors.some((major) => server(path.join('/usr/lib/postgresql', major, 'bin'))) || onPath('initdb');
}

/**
 * Queue mode and the demo's CRM database need Redis and PostgreSQL, the scaled topology nginx
 * (Debian's packages). Installs what is missing where we may (root with apt-get); otherwise stops
 * here, before anything slow, with one line saying what to run, instead of failing suite by suite.
 * Debian's nginx package does not start a service where there is no init system (a container);
 * the tests start their own nginx as the current user either way.
 */
function systemPackages() {
	const missing = () =>
		[onPath('redis-server') ? '' : 'redis-server', hasPostgres() ? '' : 'postgresql', onPath('nginx') ? '' : 'nginx'].filter(Boolean);
	if (missing().length === 0) return true;
	const install = `apt-get update && apt-get install -y ${missing().join(' ')}`;
	if (process.getuid?.() === 0 && onPath('apt-get')) check('system packages', 'bash', ['-c', install], { DEBIAN_FRONTEND: 'noninteractive' });
	if (missing().length === 0) return true;
	console.error(`\nnpm test needs ${missing().join(' and ')} (queue mode, the scaled topology, the demo's CRM database): run \`sudo ${install}\`, then npm test again.`);
	return false;
}

if (!systemPackages()) {
	console.log('0 passed, 1 failed');
	process.exit(1);
}
check('lint', 'npm', ['run', '--silent', 'lint']);
check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
jest('unit', 'jest.unit.config.js');
const built = check('build', 'npm', ['run', '--silent', 'build']);
// Everything below uses the built package: without a build it cannot run.
const needsBuild = (name, runStage) => (built ? runStage() : stages.push({ name, seconds: 0, passed: 0, failed: 1 }));
needsBuild('package', () => jest('package', 'jest.package.config.js'));
for (const [index, version] of N8N_VERSIONS.entries()) {
	// Installs that n8n into the cache the first time (minutes), outside the suites' time limits,
	// started the way a newcomer's `npm test` starts it: with npm's inherited config.
	const provision = `provision n8n ${version}`;
	if (!check(provision, 'npm', ['run', '--silent', 'provision'], { N8N_VERSION: version })) continue;
	if (index === 0) needsBuild('fresh machine', () => jest('fresh machine', 'jest.fresh.config.js', ['--runInBand']));
	needsBuild(`e2e n8n ${version}`, () => jest(`e2e n8n ${version}`, 'jest.e2e.config.js', ['--runInBand'], { N8N_VERSION: version }));
}
needsBuild('reliability', () => jest('reliability', 'jest.reliability.config.js', ['--runInBand'], { N8N_VERSION: N8N_VERSIONS[0] }));

console.log('\n=== summary');
for (const stage of stages) {
	console.log(
		`${stage.name.padEnd(24)} ${String(stage.passed).padStart(5)} passed ${String(stage.failed).padStart(4)} failed ${stage.seconds.toFixed(1).padStart(8)} s`,
	);
}
const passed = stages.reduce((sum, stage) => sum + stage.passed, 0);
const failed = stages.reduce((sum, stage) => sum + stage.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
