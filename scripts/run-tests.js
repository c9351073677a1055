#!/usr/bin/env node
// `npm test`: lint, type-check, build, unit tests, then the end-to-end suites against a real n8n.
// Prints how long each stage took and ends with one line of totals: `N passed, N failed`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'voice-agent-tests-'));
const stages = [];

function run(name, command, args) {
	const started = Date.now();
	console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
	const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
	return { seconds: (Date.now() - started) / 1000, ok: status === 0 };
}

/** A check that is one test: passes or fails as a whole (lint, type-check, build). */
function check(name, command, args) {
	const { seconds, ok } = run(name, command, args);
	stages.push({ name, seconds, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
	return ok;
}

/** A jest suite: counts its tests; a suite that could not run counts as one failure. */
function jest(name, config, extra = []) {
	const output = path.join(resultsDir, `${name}.json`);
	const { seconds } = run(name, 'npx', ['jest', '--config', config, '--json', `--outputFile=${output}`, ...extra]);
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
if (built) jest('e2e', 'jest.e2e.config.js', ['--runInBand']);
else stages.push({ name: 'e2e', seconds: 0, passed: 0, failed: 1 });

console.log('\n=== summary');
for (const stage of stages) {
	console.log(
		`${stage.name.padEnd(12)} ${String(stage.passed).padStart(5)} passed ${String(stage.failed).padStart(4)} failed ${stage.seconds.toFixed(1).padStart(8)} s`,
	);
}
const passed = stages.reduce((sum, stage) => sum + stage.passed, 0);
const failed = stages.reduce((sum, stage) => sum + stage.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
