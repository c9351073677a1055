#!/usr/bin/env node
// `npm test`: lint, type-check, build, unit tests, the end-to-end suites against a real n8n (2.x,
// then the 1.x line), then the reliability scenarios. Prints how long each stage took and ends
// with one line of totals: `N passed, N failed`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-agent-tests-'));
const stages = [];

// n8n versions the end-to-end suites run on: the current line first, then the 1.x line many
// self-hosters still run. The harness reads N8N_VERSION (scripts/provision-n8n.sh installs it).
const E2E_N8N_VERSIONS = ['2.41.1', '1.123.81'];

function run(name, command, args, env = {}) {
	const started = Date.now();
	const shown = Object.entries(env).map(([key, value]) => `${key}=${value} `).join('');
	console.log(`\n=== ${name}: ${shown}${command} ${args.join(' ')}`);
	const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
	return { seconds: (Date.now() - started) / 1000, ok: status === 0 };
}

/** A check that is one test: passes or fails as a whole (lint, type-check, build). */
function check(name, command, args) {
	const { seconds, ok } = run(name, command, args);
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

check('lint', 'npm', ['run', '--silent', 'lint']);
check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
const built = check('build', 'npm', ['run', '--silent', 'build']);
jest('unit', 'jest.unit.config.js');
// The end-to-end and reliability suites install the built package into n8n: without a build they cannot run.
const needsBuild = (name, runStage) => (built ? runStage() : stages.push({ name, seconds: 0, passed: 0, failed: 1 }));
for (const version of E2E_N8N_VERSIONS) {
	const name = `e2e n8n ${version}`;
	// Installs that n8n into the cache the first time (minutes), outside the suites' time limits.
	const provisioned = run(`provision n8n ${version}`, 'bash', ['scripts/provision-n8n.sh'], { N8N_VERSION: version }).ok;
	if (!provisioned) stages.push({ name: `provision n8n ${version}`, seconds: 0, passed: 0, failed: 1 });
	else needsBuild(name, () => jest(name, 'jest.e2e.config.js', ['--runInBand'], { N8N_VERSION: version }));
}
needsBuild('reliability', () =>
	jest('reliability', 'jest.reliability.config.js', ['--runInBand'], { N8N_VERSION: E2E_N8N_VERSIONS[0] }),
);

console.log('\n=== summary');
for (const stage of stages) {
	console.log(
		`${stage.name.padEnd(20)} ${String(stage.passed).padStart(5)} passed ${String(stage.failed).padStart(4)} failed ${stage.seconds.toFixed(1).padStart(8)} s`,
	);
}
const passed = stages.reduce((sum, stage) => sum + stage.passed, 0);
const failed = stages.reduce((sum, stage) => sum + stage.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
