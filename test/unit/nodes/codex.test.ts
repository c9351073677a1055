/**
 * The codex files (Foo.node.json beside Foo.node.ts, copied to dist/ by the build): n8n's
 * DirectoryLoader.getCodex reads `${nodeFile}on` and keeps categories, subcategories, alias and
 * resources.{primary,credential}Documentation; without `resources` it drops the whole codex.
 * The documentation links must land on headings the README or a docs/ page has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { brokenLink, REPOSITORY_URL, ROOT } from '../helpers/docs';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };

interface Codex {
	node: string;
	nodeVersion: string;
	codexVersion: string;
	categories: string[];
	subcategories?: Record<string, string[]>;
	alias: string[];
	resources: { primaryDocumentation: Array<{ url: string }>; credentialDocumentation?: Array<{ url: string }> };
}

const nodes = pkg.n8n.nodes.map((compiled) => {
	const source = compiled.replace(/^dist\//, '').replace(/\.js$/, '.json');
	const ts = compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts');
	const name = /name: '(\w+)'/.exec(readFileSync(join(ROOT, ts), 'utf8'))![1];
	return { source, name, codex: JSON.parse(readFileSync(join(ROOT, source), 'utf8')) as Codex };
});

describe.each(nodes)('$source', ({ name, codex }) => {
	test('names the node type n8n gives it and the codex format', () => {
		expect(codex.node).toBe(`${pkg.name}.${name}`);
		expect(codex).toMatchObject({ nodeVersion: '1.0', codexVersion: '1.0' });
		expect(codex.categories).toEqual(['Communication']);
	});

	test('is not in the AI category, which would hide the node from the node panel search', () => {
		// n8n's node panel leaves out of its main list and search every node whose codex categories
		// include "AI", unless its AI subcategories include "Root Nodes" (filterOutAiNodes in the
		// editor's nodeCreator store, 1.123.81; the same filter in 2.41.1): such nodes are only offered
		// where an AI root node takes them. n8n still files the generated Voice Agent Tool under AI › Tools.
		const rootNode = codex.subcategories?.AI?.includes('Root Nodes') === true;
		expect(codex.categories.includes('AI') && !rootNode).toBe(false);
	});

	test('has the fields n8n reads, documentation links that land in the README or docs/', () => {
		const urls = [...codex.resources.primaryDocumentation, ...(codex.resources.credentialDocumentation ?? [])].map(({ url }) => url);
		expect(codex.resources.primaryDocumentation.length).toBeGreaterThan(0);
		for (const url of urls) {
			expect(url.startsWith(REPOSITORY_URL)).toBe(true);
			expect(brokenLink(join(ROOT, 'README.md'), url)).toBeNull();
		}
	});

	test('has a list of unique aliases', () => {
		expect(new Set(codex.alias).size).toBe(codex.alias.length);
		expect(codex.alias.length).toBeGreaterThan(5);
	});
});

test('the trigger is found by every platform it receives from, Svix and Standard Webhooks', () => {
	const trigger = nodes.find(({ name }) => name === 'voiceAgentTrigger')!.codex;
	expect(trigger.alias).toEqual(
		expect.arrayContaining(['Layercode', 'SpeakNode', 'Agntix', 'Retell', 'ElevenLabs', 'Vapi', 'Svix', 'Standard Webhooks', 'Voice', 'Phone Call', 'SSE']),
	);
});

test('the Voice Agent node is found by the platforms it talks to', () => {
	const node = nodes.find(({ name }) => name === 'voiceAgent')!.codex;
	expect(node.alias).toEqual(expect.arrayContaining(['Layercode', 'Agntix', 'Voice', 'SSE', 'Transcript']));
});
