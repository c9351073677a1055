/**
 * What the package ships: n8n loads community nodes in its own process, where only n8n's own
 * modules (and Node built-ins allowed for verified nodes) are available, and the package must
 * have no runtime dependencies of its own. Checks the compiled output: `npm run test:package` builds it first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const BUILD_HINT = `dist/ is missing or empty: run \`npm run build\` before the unit tests (this test checks the compiled package).`;

const ALLOWED = ['n8n-workflow', 'zod', 'lodash', 'luxon', 'moment', 'p-limit', 'crypto', 'node:crypto'];
const isAllowed = (specifier: string) =>
	specifier.startsWith('./') ||
	specifier.startsWith('../') ||
	ALLOWED.includes(specifier) ||
	/^lodash\/[\w.-]+$/.test(specifier);

function jsFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return jsFiles(path);
		return name.endsWith('.js') ? [path] : [];
	});
}

function distFiles(): string[] {
	if (!existsSync(DIST)) throw new Error(BUILD_HINT);
	const files = jsFiles(DIST);
	if (files.length === 0) throw new Error(BUILD_HINT);
	return files;
}

/** Every `require(...)` in a compiled file: literal specifiers, and any that are not literal. */
function requiresOf(source: string): { literal: string[]; dynamic: string[] } {
	const literal = [...source.matchAll(/\brequire\(\s*(['"`])([^'"`]+)\1\s*\)/g)].map((match) => match[2]);
	// An identifier or expression as the argument (a comment saying "require()" is not a call).
	const dynamic = [...source.matchAll(/\brequire\(\s*[A-Za-z_$][^)]*\)/g)].map((match) => match[0]);
	return { literal, dynamic };
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	dependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	n8n?: { nodes?: string[]; credentials?: string[] };
};

describe('the compiled package (dist/)', () => {
	test('exists (run `npm run build` first)', () => {
		expect(() => distFiles()).not.toThrow();
	});

	test('every require() is relative or an allowed module', () => {
		const offending: string[] = [];
		for (const file of distFiles()) {
			const { literal, dynamic } = requiresOf(readFileSync(file, 'utf8'));
			const where = relative(ROOT, file);
			for (const specifier of literal) if (!isAllowed(specifier)) offending.push(`${where}: require('${specifier}')`);
			for (const call of dynamic) offending.push(`${where}: non-literal ${call}`);
		}
		expect(offending).toEqual([]);
	});

	test('every relative require() resolves to a shipped file', () => {
		const missing: string[] = [];
		for (const file of distFiles()) {
			for (const specifier of requiresOf(readFileSync(file, 'utf8')).literal) {
				if (!specifier.startsWith('.')) continue;
				const target = resolve(dirname(file), specifier);
				const candidates = [target, `${target}.js`, `${target}.json`, join(target, 'index.js')];
				if (!candidates.some((candidate) => existsSync(candidate) && statSync(candidate).isFile())) {
					missing.push(`${relative(ROOT, file)}: ${specifier}`);
				}
			}
		}
		expect(missing).toEqual([]);
	});

	test('no test code or test helpers are compiled into dist', () => {
		const testFiles = distFiles().filter((file) => /\.test\.js$|[\\/]test[\\/]/.test(relative(DIST, file)));
		expect(testFiles).toEqual([]);
	});
});

describe('package.json', () => {
	test('has no runtime dependencies', () => {
		expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
	});

	test('peerDependencies is exactly {"n8n-workflow": "*"}', () => {
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	});

	test('lists nodes and credentials in its n8n section', () => {
		expect(pkg.n8n?.nodes?.length).toBeGreaterThan(0);
		expect(pkg.n8n?.credentials?.length).toBeGreaterThan(0);
	});

	test('every path in the n8n section exists after the build', () => {
		distFiles(); // a clear message when the build is missing
		const paths = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
		const missing = paths.filter((path) => !path.startsWith('dist/') || !existsSync(join(ROOT, path)));
		expect(missing).toEqual([]);
	});

	test('each listed file exports its class, and the icons it names are shipped beside it', () => {
		distFiles();
		const problems: string[] = [];
		for (const path of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
			const file = join(ROOT, path);
			if (!existsSync(file)) continue; // reported by the test above
			// n8n requires the file and instantiates the export named like the file (Foo.node.js → Foo).
			const className = path.split('/').pop()!.split('.')[0];
			const exported = (require(file) as Record<string, new () => unknown>)[className];
			if (typeof exported !== 'function') {
				problems.push(`${path}: no exported class ${className}`);
				continue;
			}
			const instance = new exported() as { description?: { icon?: unknown }; icon?: unknown };
			const icon = instance.description?.icon ?? instance.icon;
			const icons = typeof icon === 'string' ? [icon] : icon && typeof icon === 'object' ? Object.values(icon) : [];
			for (const entry of icons) {
				if (typeof entry !== 'string' || !entry.startsWith('file:')) continue;
				const iconPath = join(dirname(file), entry.slice('file:'.length));
				if (!existsSync(iconPath)) problems.push(`${path}: icon ${entry} not shipped`);
			}
		}
		expect(problems).toEqual([]);
	});
});

describe('npm pack', () => {
	// The project's .npmrc sets ignore-scripts (see there), under which npm runs no lifecycle
	// script, prepack included: the tarball holds whatever `npm run build` last wrote.
	test('ships dist/ with every file n8n loads (codex included), and nothing from the tests', () => {
		distFiles();
		const [{ files }] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
		const shipped = files.map((file) => file.path);
		const listed = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
		expect(listed.filter((path) => !shipped.includes(path))).toEqual([]);
		// Each node's codex (Foo.node.json beside Foo.node.js): n8n reads it for the node panel.
		const codex = (pkg.n8n?.nodes ?? []).map((path) => path.replace(/\.js$/, '.json'));
		expect(codex.filter((path) => !shipped.includes(path))).toEqual([]);
		expect(shipped.filter((path) => !/^(dist\/|index\.js$|package\.json$|README\.md$|LICENSE$)/.test(path))).toEqual([]);
		expect(shipped.filter((path) => /\.test\.|(^|\/)test\//.test(path))).toEqual([]);
	});
});
