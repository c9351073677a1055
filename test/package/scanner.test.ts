/**
 * n8n's verification scanner (@n8n/scan-community-package, the version pinned in package.json):
 * the checks n8n runs before it verifies a community package, on the source tree and on the
 * `npm pack` tarball, must find 0 errors. Its `analyzePackage` runs in a child Node process
 * (test/package/scan.mjs: the scanner is an ES module). Every finding is printed on failure.
 * Checks the compiled output: `npm run test:package` builds it first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SCAN = join(__dirname, 'scan.mjs');

interface Finding {
	file: string;
	line: number;
	column: number;
	severity: 'error' | 'warning';
	rule: string | null;
	message: string;
}

interface Report {
	kind: 'source' | 'tarball';
	patterns: string[];
	files: string[];
	passed: boolean;
	message?: string;
	details?: string;
	errors: number;
	warnings: number;
	findings: Finding[];
}

function scan(folder: string, kind: Report['kind']): Report {
	const output = execFileSync(process.execPath, [SCAN, folder, kind], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	return JSON.parse(output) as Report;
}

const describeFinding = (finding: Finding) =>
	`${finding.file}:${finding.line}:${finding.column} ${finding.severity} ${finding.message} (${finding.rule ?? 'parse error'})`;

/** One line per finding, and the scanner's own verdict and report: printed when this fails. */
function explain(where: string, report: Report): string {
	return [
		`n8n's scanner on ${where}: ${report.passed ? 'passed' : `failed (${report.message})`}, ${report.files.length} files, ${report.errors} errors, ${report.warnings} warnings`,
		...report.findings.map(describeFinding),
		...(report.details ? ['', "analyzePackage's report:", report.details] : []),
	].join('\n');
}

function expectClean(where: string, report: Report, mustInclude: string[]) {
	const summary = explain(where, report);
	// On success, the same lines (counts, and any warning) in the test output.
	console.log(summary);
	const missing = mustInclude.filter((file) => !report.files.includes(file));
	if (missing.length > 0) throw new Error(`the scanner did not look at ${missing.join(', ')}\n${summary}`);
	if (!report.passed || report.errors > 0) throw new Error(summary);
}

const pkg = require(join(ROOT, 'package.json')) as { n8n: { nodes: string[]; credentials: string[] } };
const shipped = [...pkg.n8n.nodes, ...pkg.n8n.credentials];

describe("n8n's verification scanner (@n8n/scan-community-package analyzePackage)", () => {
	let work: string;
	beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'voice-agent-scan-'))));
	afterAll(() => rmSync(work, { recursive: true, force: true }));

	test('the source tree (package.json and {nodes,credentials}/**/*.{js,ts,json}): 0 errors', () => {
		// The sources of what package.json lists (dist/nodes/X/X.node.js → nodes/X/X.node.ts).
		const sources = shipped.map((path) => path.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
		expectClean('the source tree', scan(ROOT, 'source'), ['package.json', ...sources]);
	}, 120_000);

	test('the npm pack tarball, unpacked (**/*.js and package.json): 0 errors', () => {
		if (!existsSync(join(ROOT, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first (`npm run test:package` does)');
		// The project's .npmrc sets ignore-scripts: the tarball holds what `npm run build` last wrote.
		const [{ filename }] = JSON.parse(
			execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }),
		) as Array<{ filename: string }>;
		const unpacked = join(work, 'package');
		mkdirSync(unpacked);
		execFileSync('tar', ['-xzf', join(work, filename), '-C', unpacked, '--strip-components=1']);
		expect(readdirSync(unpacked)).toContain('package.json');
		expectClean('the npm pack tarball', scan(unpacked, 'tarball'), ['package.json', ...shipped]);
	}, 120_000);
});
