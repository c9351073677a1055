#!/usr/bin/env node
// `node scripts/run-script.js <name> [args…]` runs scripts/<name>.ts. It compiles the scripts (and
// the test helpers they import) into .build/ only when a source changed since the last compile,
// so `npm run send` answers at once instead of type-checking for seconds before every request.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stamp = path.join(root, '.build', '.compiled');
const SOURCES = ['scripts', 'test', 'nodes', 'credentials', 'tsconfig.json', 'tsconfig.scripts.json'];

/** The newest modification time of any .ts or .json file under `entry`. */
function newest(entry) {
	const full = path.join(root, entry);
	const stat = fs.statSync(full, { throwIfNoEntry: false });
	if (!stat) return 0;
	if (!stat.isDirectory()) return stat.mtimeMs;
	return fs
		.readdirSync(full, { withFileTypes: true })
		.filter((item) => item.isDirectory() || /\.(ts|json)$/.test(item.name))
		.reduce((latest, item) => Math.max(latest, newest(path.join(entry, item.name))), 0);
}

const [name, ...args] = process.argv.slice(2);
if (!name || !fs.existsSync(path.join(root, 'scripts', `${name}.ts`))) {
	console.error(`usage: node scripts/run-script.js <name> [args…]: no scripts/${name ?? ''}.ts`);
	process.exit(2);
}
const compiledAt = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (SOURCES.some((entry) => newest(entry) > compiledAt)) {
	const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.scripts.json'], { cwd: root, stdio: 'inherit' });
	if (tsc.status !== 0) process.exit(tsc.status ?? 1);
	fs.writeFileSync(stamp, '');
}
// The script runs in this process: Ctrl-C and its exit code reach it directly.
process.argv = [process.argv[0], path.join(root, '.build', 'scripts', `${name}.js`), ...args];
require(process.argv[1]);
