// Runs n8n's verification scanner (@n8n/scan-community-package) on a folder and prints one JSON
// report on stdout. An ES module, so scanner.test.ts runs it in its own Node process (Jest loads
// CommonJS only). Usage: node test/package/scan.mjs <folder> source|tarball
//
// What n8n runs before verifying a package (scanner.mjs, analyzePackageByName): `analyzePackage`
// on the source checkout with SOURCE_FILE_PATTERNS, and on the unpacked `npm pack` tarball with
// `**/*.js` and `package.json`. Its verdict is the one that counts (`passed`); the same lint, with
// the same config (its exported buildScanConfig) and files, is repeated here only to list every
// finding, warnings included, and the files it looked at (analyzePackage passes a folder where it
// finds no file at all).
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [given, kind] = process.argv.slice(2);
if (!given || !['source', 'tarball'].includes(kind)) {
	console.error('usage: node test/package/scan.mjs <folder> source|tarball');
	process.exit(2);
}
const folder = resolve(given); // ESLint (and so analyzePackage) wants an absolute cwd

// eslint-plugin-n8n-nodes-base reads filenames and package names differently under
// NODE_ENV=test (its own test setup), which Jest sets: n8n's scan runs without it.
delete process.env.NODE_ENV;

const scannerPath = createRequire(import.meta.url).resolve('@n8n/scan-community-package/scanner/scanner.mjs');
// The scanner's own modules, as it resolves them.
const scannerRequire = createRequire(scannerPath);
// scanner.mjs makes a temporary folder as it loads (for downloads, unused here) and `tmp` only
// removes it on exit with graceful cleanup on: without this, each run left an empty /tmp/tmp-*.
scannerRequire('tmp').setGracefulCleanup();
const { analyzePackage, buildScanConfig, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerPath).href);
const { ESLint } = scannerRequire('eslint');
const glob = scannerRequire('fast-glob');

const patterns = kind === 'source' ? SOURCE_FILE_PATTERNS : ['**/*.js', 'package.json'];
const verdict = await analyzePackage(folder, patterns);

const files = glob.sync(patterns, { cwd: folder, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
const eslint = new ESLint({ cwd: folder, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await buildScanConfig() });
const results = files.length > 0 ? await eslint.lintFiles(files) : [];
const findings = results.flatMap((result) =>
	result.messages.map((message) => ({
		file: relative(folder, result.filePath),
		line: message.line,
		column: message.column,
		severity: message.severity === 2 ? 'error' : 'warning',
		rule: message.ruleId,
		message: message.message,
	})),
);

process.stdout.write(
	JSON.stringify({
		kind,
		patterns,
		files: files.map((file) => relative(folder, file)).sort(),
		passed: verdict.passed,
		message: verdict.message,
		details: verdict.details,
		errors: findings.filter((finding) => finding.severity === 'error').length,
		warnings: findings.filter((finding) => finding.severity === 'warning').length,
		findings,
	}),
);
