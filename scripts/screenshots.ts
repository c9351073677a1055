// `npm run screenshots`: starts the demo's n8n (scripts/demo-env.ts), drives Debian's Chromium
// with playwright-core, signs in as the owner, opens each example workflow in the editor and saves
// docs/images/<example>.png (the README embeds them).
//
// Chromium: /usr/bin/chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. Flags: headless,
// no sandbox (root), and no background networking, component updates or sync, so Chromium does not
// call out from a machine without Internet; a fresh profile each run.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';

import { OWNER } from '../test/e2e/harness';
import { loadExamples } from '../test/support/examples';
import { startDemo } from './demo-env';

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'docs', 'images');
const VIEWPORT = { width: 1400, height: 800 };

async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(OWNER.email);
	await page.locator('input[type="password"]').first().fill(OWNER.password);
	await page.locator('button[type="submit"], [data-test-id="form-submit-button"]').first().click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
}

/** Opens a workflow, waits until every node is on the canvas, fits it to the view and hides passing UI. */
async function openWorkflow(page: Page, baseUrl: string, id: string, nodeCount: number): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${id}`);
	const nodes = page.locator('[data-test-id="canvas-node"]');
	const deadline = Date.now() + 30_000;
	while ((await nodes.count()) < nodeCount) {
		if (Date.now() > deadline) throw new Error(`workflow ${id}: ${await nodes.count()} of ${nodeCount} nodes on the canvas after 30 s (${page.url()})`);
		await page.waitForTimeout(200);
	}
	await nodes.first().waitFor({ state: 'visible' });
	// The "Production Checklist" of a published workflow and any toast would cover the canvas:
	// close them, then fit the whole workflow into the view.
	await page.waitForTimeout(1_000);
	for (const close of await page.locator('[data-test-id="suggested-actions-close"], .el-notification__closeBtn').all()) {
		await close.click({ timeout: 2_000 }).catch(() => undefined);
	}
	// The dotted grid triples the PNG's size and says nothing: a plain background keeps the committed files small.
	await page.addStyleTag({ content: '[data-test-id="canvas-background"] { display: none !important; }' });
	await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 120);
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(800); // the fit-view animation and the node icons
}

async function main() {
	const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	const only = process.argv.slice(2); // example names (file names without .json): only those
	const startedAt = Date.now();
	// SCREENSHOTS_N8N_URL: shoot an n8n that is already running `npm run demo` instead of starting one.
	const running = process.env.SCREENSHOTS_N8N_URL?.replace(/\/+$/, '');
	if (!running) console.log('Starting the demo n8n…');
	const demo = running
		? { n8n: { baseUrl: running }, examples: loadExamples(), stop: async () => undefined }
		: await startDemo();
	const profile = await mkdtemp(join(tmpdir(), 'voice-agent-chromium-'));
	// A persistent context on a fresh, empty folder: Playwright wants the profile folder this way
	// (not as a --user-data-dir argument).
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		viewport: VIEWPORT,
		deviceScaleFactor: 1,
		colorScheme: 'light',
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	try {
		await mkdir(OUT, { recursive: true });
		const page = context.pages()[0] ?? (await context.newPage());
		await signIn(page, demo.n8n.baseUrl);
		for (const { slug, workflow } of demo.examples) {
			if (only.length > 0 && !only.includes(slug)) continue;
			const shotStartedAt = Date.now();
			const onCanvas = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote').length;
			await openWorkflow(page, demo.n8n.baseUrl, workflow.id, onCanvas);
			const file = join(OUT, `${slug}.png`);
			await page.screenshot({ path: file, type: 'png' });
			console.log(`${file}  ${((await stat(file)).size / 1024).toFixed(0)} KiB  (${Date.now() - shotStartedAt} ms)`);
		}
	} finally {
		await context.close();
		await rm(profile, { recursive: true, force: true });
		await demo.stop();
	}
	console.log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
