/**
 * n8n serves this package's codex: the node panel's search matches display names and codex
 * aliases, and its categories and documentation links come from the codex too.
 *
 * Read from n8n's source (2.41.1 and 1.123.81 alike):
 * - n8n-core DirectoryLoader.addCodex: a community node without `description.codex` gets
 *   getCodex(`${nodeFile}on`), i.e. dist/nodes/Foo/Foo.node.json beside Foo.node.js, keeping only
 *   categories, subcategories, alias and resources.{primary,credential}Documentation.
 * - FrontendService.generateTypes writes every loaded node type to <staticCacheDir>/types/nodes.json;
 *   Server.protectTypeFiles serves it at GET /types/nodes.json behind the session cookie
 *   (`n8n-auth`) and exempts it from the browser-id check.
 * - usableAsTool nodes also get a `…Tool` variant (categories AI, subcategory Tools) whose codex
 *   keeps the resources; 2.41.1 keeps the alias too (tool-generation/utils.js setToolCodex),
 *   1.123.81 drops it (load-nodes-and-credentials.js convertNodeToAiTool).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OWNER, printLogOnFailure, startN8n, targetN8nMajor, type N8n } from './harness';
import { secretCredential, TRIGGER_TYPE, triggerOnly, VOICE_AGENT_TYPE } from './workflows';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROOT = resolve(__dirname, '..', '..');

interface NodeTypeJson {
	name: string;
	displayName: string;
	version: number | number[];
	defaultVersion?: number;
	codex?: { categories?: string[]; subcategories?: Record<string, string[]>; alias?: string[]; resources?: Record<string, unknown> };
}

/** The codex file as shipped: what n8n read from dist/. */
function shippedCodex(node: string) {
	const { categories, subcategories, alias, resources } = JSON.parse(
		readFileSync(join(ROOT, 'dist', 'nodes', node, `${node}.node.json`), 'utf8'),
	) as Required<NodeTypeJson>['codex'];
	return {
		categories,
		...(subcategories && { subcategories }),
		alias,
		resources: { primaryDocumentation: resources!.primaryDocumentation, credentialDocumentation: resources!.credentialDocumentation },
	};
}

let n8n: N8n | undefined;
let types: NodeTypeJson[] = [];

beforeAll(async () => {
	// One published trigger: the package is loaded and its trigger activates.
	n8n = await startN8n({
		workflows: [triggerOnly('wfCodex00000001', 'codex', { platform: 'agntix' })],
		credentials: [secretCredential(SECRET)],
	});
	const login = await fetch(`${n8n.baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
	});
	expect(login.status).toBe(200);
	const cookie = login.headers
		.getSetCookie()
		.find((value) => value.startsWith('n8n-auth='))!
		.split(';')[0];
	const response = await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie } });
	expect(response.status).toBe(200);
	types = (await response.json()) as NodeTypeJson[];
});

afterAll(async () => {
	await n8n?.stop();
});

const ours = (type: string) => types.filter((node) => node.name === type);

test('/types/nodes.json needs the session', () =>
	printLogOnFailure(n8n, async () => {
		expect((await fetch(`${n8n!.baseUrl}/types/nodes.json`)).status).toBe(401);
	}));

test.each([
	[TRIGGER_TYPE, 'VoiceAgentTrigger'],
	[VOICE_AGENT_TYPE, 'VoiceAgent'],
])('%s carries the codex of its .node.json', (type, folder) =>
	printLogOnFailure(n8n, async () => {
		const [node] = ours(type);
		expect(node).toBeDefined();
		console.log(`[codex.e2e] n8n ${n8n!.version} ${type}: ${JSON.stringify(node.codex)}`);
		expect(node.codex).toEqual(shippedCodex(folder));
		expect(node.codex!.categories).toEqual(['Communication']);
	}));

test('a new trigger gets version 1.1 on n8n 2.41+ and 1 on n8n 1.x (multipart uploads would stay in its temp folder)', () =>
	printLogOnFailure(n8n, async () => {
		const [trigger] = ours(TRIGGER_TYPE);
		console.log(`[codex.e2e] n8n ${n8n!.version}: trigger version ${JSON.stringify(trigger.version)}, default ${trigger.defaultVersion}`);
		expect(trigger.version).toEqual([1, 1.1]);
		expect(trigger.defaultVersion).toBe(targetN8nMajor() >= 2 ? 1.1 : 1);
	}));

test('the trigger is found by platform name, Svix and Standard Webhooks', () =>
	printLogOnFailure(n8n, async () => {
		const [trigger] = ours(TRIGGER_TYPE);
		expect(trigger.codex!.alias).toEqual(
			expect.arrayContaining(['Layercode', 'SpeakNode', 'Agntix', 'Svix', 'Standard Webhooks', 'Voice', 'Phone Call', 'SSE']),
		);
		expect(trigger.codex!.resources!.primaryDocumentation).toEqual([
			{ url: 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent#quick-start-a-verified-delivery-in-five-steps' },
			{ url: 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/blob/main/docs/platforms.md' },
		]);
	}));

test('the Voice Agent node is found by Layercode and Agntix; its AI tool variant (if any) keeps the links (2.x: and the aliases)', () =>
	printLogOnFailure(n8n, async () => {
		const [node] = ours(VOICE_AGENT_TYPE);
		expect(node.codex!.alias).toEqual(expect.arrayContaining(['Layercode', 'Agntix', 'Voice', 'SSE']));
		const tool = ours(`${VOICE_AGENT_TYPE}Tool`);
		console.log(`[codex.e2e] n8n ${n8n!.version} tool variant: ${tool.length ? JSON.stringify(tool[0].codex) : 'none'}`);
		for (const variant of tool) {
			expect(variant.codex).toMatchObject({ categories: ['AI'], subcategories: { AI: ['Tools'] }, resources: node.codex!.resources });
			if (Number(n8n!.version.split('.')[0]) >= 2) expect(variant.codex!.alias).toEqual(node.codex!.alias);
			else expect(variant.codex!.alias).toBeUndefined();
		}
	}));
