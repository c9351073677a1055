// Jest reporter for `npm run test:reliability`: collects the figures every scenario recorded
// (test/reliability/figures.ts writes one JSON file per scenario into .bench/reliability-rows/),
// prints them as one table at the end of the run and writes the same table as Markdown to
// .bench/reliability-latest.md, for the README's reliability section.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BENCH = path.join(ROOT, '.bench');
const ROWS = path.join(BENCH, 'reliability-rows');
const LATEST = path.join(BENCH, 'reliability-latest.md');

const COLUMNS = [
	['scenario', 'scenario'],
	['requests', 'requests sent'],
	['expected', 'executions expected'],
	['found', 'executions found'],
	['lost', 'lost'],
	['duplicated', 'duplicated'],
	['rejected', 'rejected (4xx)'],
	['forgedAccepted', 'forged accepted'],
	['serverErrors', 'server errors (5xx)'],
	['seconds', 'time (s)'],
	['result', 'result'],
];

const cell = (value) => (value === null || value === undefined ? '–' : String(value));

function n8nVersion() {
	const cache = process.env.VOICE_AGENT_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-voice-agent');
	const version = process.env.N8N_VERSION || require('../../scripts/n8n-versions.json').n8n[0];
	try {
		const manifest = path.join(cache, `n8n-${version}`, 'node_modules', 'n8n', 'package.json');
		return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
	} catch {
		return version;
	}
}

class ReliabilityTableReporter {
	constructor(globalConfig) {
		this.globalConfig = globalConfig;
		this.startedAt = Date.now();
	}

	onRunStart() {
		this.startedAt = Date.now();
		this.loadAtStart = os.loadavg()[0];
		fs.rmSync(ROWS, { recursive: true, force: true });
		fs.mkdirSync(ROWS, { recursive: true });
	}

	onRunComplete(_contexts, results) {
		const rows = fs.existsSync(ROWS)
			? fs
					.readdirSync(ROWS)
					.filter((name) => name.endsWith('.json'))
					.map((name) => JSON.parse(fs.readFileSync(path.join(ROWS, name), 'utf8')))
					.sort((a, b) => a.recordedAt - b.recordedAt)
			: [];
		// Pass or fail from Jest's own verdict on the test that recorded the row.
		const verdicts = new Map();
		for (const file of results.testResults) {
			for (const test of file.testResults) verdicts.set(test.fullName, test.status);
		}
		for (const row of rows) row.result = verdicts.get(row.test) === 'passed' ? 'pass' : verdicts.has(row.test) ? 'FAIL' : '?';
		const totalSeconds = Math.round((Date.now() - this.startedAt) / 1000);
		const minutes = `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
		const cpu = os.cpus();
		const machine = `${cpu.length} × ${cpu[0] ? cpu[0].model.trim() : 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`;
		// The machine may be shared: the load average says how much else was running.
		const load = `load average ${(this.loadAtStart ?? 0).toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;
		const header = `n8n ${n8nVersion()}, ${machine}; run ${new Date(this.startedAt).toISOString()}, ${minutes} in all (${load}); seed ${process.env.RELIABILITY_SEED || 20261122}`;

		if (rows.length === 0) {
			process.stdout.write('\nreliability: no scenario recorded figures\n');
			return;
		}

		// Console: aligned plain text.
		const table = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => cell(row[key])))];
		const widths = COLUMNS.map((_, i) => Math.max(...table.map((line) => line[i].length)));
		const line = (values) => values.map((value, i) => (i === 0 ? value.padEnd(widths[i]) : value.padStart(widths[i]))).join('  ');
		const text = [
			'',
			'=== reliability figures',
			header,
			line(table[0]),
			widths.map((width) => '-'.repeat(width)).join('  '),
			...table.slice(1).map(line),
			'',
			...rows.filter((row) => row.notes).map((row) => `${row.scenario}: ${row.notes}`),
			'',
			`written to ${path.relative(ROOT, LATEST)}`,
			'',
		].join('\n');
		process.stdout.write(text);

		// Markdown for the README.
		const md = [
			`<!-- npm run test:reliability, ${new Date(this.startedAt).toISOString()} -->`,
			`${header}.`,
			'',
			`| ${COLUMNS.map(([, title]) => title).join(' | ')} |`,
			`| ${COLUMNS.map(([key]) => (key === 'scenario' || key === 'result' ? '---' : '---:')).join(' | ')} |`,
			...rows.map((row) => `| ${COLUMNS.map(([key]) => cell(row[key])).join(' | ')} |`),
			'',
			...rows.filter((row) => row.notes).map((row) => `- **${row.scenario}**: ${row.notes}`),
			'',
		].join('\n');
		fs.mkdirSync(BENCH, { recursive: true });
		fs.writeFileSync(LATEST, md);
	}
}

module.exports = ReliabilityTableReporter;
