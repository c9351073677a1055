// `npm run screenshots`: starts the demo's n8n (scripts/demo-env.ts), drives Debian's Chromium
// with playwright-core, signs in as the owner, opens each example workflow in the editor and saves
// docs/images/<example>.png (the README embeds them), then the editor views the README shows:
// the trigger's panel (trigger-panel.png), the signing-secret credential (credential.png), the node panel
// finding the trigger by "Layercode" (node-search-layercode.png) and a sample item pasted as the
// trigger's mock data (trigger-mock-data.png). `npm run screenshots -- trigger-panel` shoots one.
//
// Chromium: /usr/bin/chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. Flags: headless,
// no sandbox (root), and no background networking, component updates or sync, so Chromium does not
// call out from a machine without Internet; a fresh profile each run.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';

import { OWNER } from '../test/e2e/harness';
import { EXAMPLE_CREDENTIALS, exampleBySlug, loadExamples, triggerOf, type Example } from '../test/support/examples';
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
	await closePassingUi(page);
	// The dotted grid triples the PNG's size and says nothing: a plain background keeps the committed files small.
	await page.addStyleTag({ content: '[data-test-id="canvas-background"] { display: none !important; }' });
	await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height - 120);
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.waitForTimeout(800); // the fit-view animation and the node icons
}

/** Closes the published workflow's "Production Checklist" and any toast: they would cover what is shot. */
async function closePassingUi(page: Page): Promise<void> {
	for (const close of await page.locator('[data-test-id="suggested-actions-close"], .el-notification__closeBtn').all()) {
		await close.click({ timeout: 2_000 }).catch(() => undefined);
	}
}

/** Fails the shot when the editor does not show what it should, rather than saving a wrong picture. */
async function expectText(page: Page, selector: string, text: string | RegExp, what: string): Promise<void> {
	const locator = page.locator(selector).filter({ hasText: text }).first();
	const found = await locator.waitFor({ state: 'visible', timeout: 15_000 }).then(
		() => true,
		() => false,
	);
	if (found) return;
	const seen = join(tmpdir(), 'voice-agent-screenshot-failed.png');
	await page.screenshot({ path: seen, type: 'png' });
	throw new Error(`${what}: no ${selector} showing ${String(text)} (${page.url()}); what the editor showed: ${seen}`);
}

/** The Layercode example's trigger panel: the notice, and the Production URL it says to paste. */
async function openLayercodeTriggerPanel(page: Page, baseUrl: string, layercode: Example): Promise<void> {
	const trigger = triggerOf(layercode.workflow);
	await openWorkflow(page, baseUrl, layercode.workflow.id, layercode.workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote').length);
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${trigger.name}"]`).dblclick();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'visible' });
	await page.locator('[data-test-id="node-parameters"]').getByText('Webhook URLs', { exact: true }).click();
	await page.locator('[data-test-id="radio-button-production"]').click();
	await expectText(page, '[data-test-id="node-parameters"]', `/webhook/${trigger.webhookId}/webhook`, 'trigger panel');
	await expectText(page, '[data-test-id="node-parameters"]', 'paste this node’s Production URL', 'trigger panel');
	await closePassingUi(page);
	await page.mouse.move(VIEWPORT.width - 10, VIEWPORT.height - 10); // no hover tooltip
	await page.waitForTimeout(500);
}

/** With the trigger panel open: "set mock data", paste a sample from docs/samples, save. */
async function pasteSampleAsMockData(page: Page, sampleFile: string): Promise<void> {
	const sample = await readFile(join(ROOT, 'docs', 'samples', sampleFile), 'utf8');
	const output = page.locator('[data-test-id="output-panel"]');
	// n8n autosaves: a run against an already running demo (SCREENSHOTS_N8N_URL) may find an earlier pin.
	const unpin = output.getByText('Unpin', { exact: true });
	const setMockData = output.getByText('set mock data');
	await setMockData.or(unpin).first().waitFor({ state: 'visible' });
	if (await unpin.isVisible()) await unpin.click();
	await setMockData.click();
	const editor = output.locator('.cm-content');
	await editor.click();
	await page.keyboard.press('ControlOrMeta+A');
	await page.keyboard.insertText(sample); // as a paste: no auto-closed brackets
	await output.getByRole('button', { name: 'Save' }).click();
	// n8n took the array as one item: the pinned output shows its fields.
	await expectText(page, '[data-test-id="output-panel"]', '1 item', 'mock data');
	await expectText(page, '[data-test-id="ndv-data-container"]', 'turn.message', 'mock data');
	// The schema view lists every field at once, as a user drags them into the next node.
	await output.getByText('Schema', { exact: true }).click();
	await expectText(page, '[data-test-id="ndv-data-container"]', 'variables', 'mock data schema');
	await closePassingUi(page);
	// n8n's one-time hint about pinning points at the pin button and covers the output's header.
	// Nothing else is open by now, so every popper can go.
	await page.addStyleTag({ content: '.el-popper, [role="tooltip"], [data-reka-popper-content-wrapper] { display: none !important; }' });
	await page.getByText('You can pin this output').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
	await page.mouse.move(VIEWPORT.width - 10, VIEWPORT.height - 10);
	await page.waitForTimeout(500);
}

/** The demo's "Voice Agent signing secret (demo)" credential, opened from the credentials list. */
async function openCredential(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/home/credentials/${EXAMPLE_CREDENTIALS.voiceAgentSecret.id}`);
	const modal = page.locator('[data-test-id="editCredential-modal"]');
	await modal.waitFor({ state: 'visible', timeout: 30_000 });
	await modal.locator('[data-test-id="parameter-input-webhookSecret"]').waitFor({ state: 'visible' });
	await page.waitForTimeout(2_000); // the credential test n8n runs on opening (offline), and its banner
	await closePassingUi(page);
}

/** A new workflow's node panel ("Add first step") after typing a platform name. */
async function searchNodePanel(page: Page, baseUrl: string, query: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/new`);
	await page.locator('[data-test-id="canvas-plus-button"]').click({ timeout: 30_000 });
	// The panel lists its first items once the node types are loaded; typing earlier finds nothing.
	await page.locator('[data-test-id="node-creator-node-item"]').first().waitFor({ state: 'visible', timeout: 30_000 });
	const search = page.locator('[data-test-id="node-creator-search-bar"]').locator('input').or(page.locator('input[data-test-id="node-creator-search-bar"]')).first();
	await search.click();
	await search.pressSequentially(query, { delay: 40 });
	await expectText(page, '[data-test-id="node-creator-item-name"]', 'Voice Agent', `node panel search "${query}"`);
	await closePassingUi(page);
	await page.mouse.move(VIEWPORT.width / 3, VIEWPORT.height / 2);
	await page.waitForTimeout(500);
}

async function save(page: Page, name: string, startedAt: number): Promise<void> {
	const file = join(OUT, `${name}.png`);
	await page.screenshot({ path: file, type: 'png' });
	console.log(`${file}  ${((await stat(file)).size / 1024).toFixed(0)} KiB  (${Date.now() - startedAt} ms)`);
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
		const wanted = (name: string) => only.length === 0 || only.includes(name);
		for (const { slug, workflow } of demo.examples) {
			if (!wanted(slug)) continue;
			const shotStartedAt = Date.now();
			const onCanvas = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote').length;
			await openWorkflow(page, demo.n8n.baseUrl, workflow.id, onCanvas);
			await save(page, slug, shotStartedAt);
		}
		if (wanted('credential')) {
			const shotStartedAt = Date.now();
			await openCredential(page, demo.n8n.baseUrl);
			await save(page, 'credential', shotStartedAt);
		}
		if (wanted('node-search-layercode')) {
			const shotStartedAt = Date.now();
			await searchNodePanel(page, demo.n8n.baseUrl, 'Layercode');
			await save(page, 'node-search-layercode', shotStartedAt);
		}
		if (wanted('trigger-panel') || wanted('trigger-mock-data')) {
			const layercode = exampleBySlug(demo.examples, 'layercode-turn');
			let shotStartedAt = Date.now();
			await openLayercodeTriggerPanel(page, demo.n8n.baseUrl, layercode);
			if (wanted('trigger-panel')) await save(page, 'trigger-panel', shotStartedAt);
			// Last: pinning changes the workflow.
			if (wanted('trigger-mock-data')) {
				shotStartedAt = Date.now();
				await pasteSampleAsMockData(page, 'layercode-turn.message.json');
				await save(page, 'trigger-mock-data', shotStartedAt);
				// Leave the example as it was (n8n autosaves the pin into the workflow).
				await page.locator('[data-test-id="output-panel"]').getByText('Unpin', { exact: true }).click();
				await page.waitForTimeout(1_500);
			}
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
