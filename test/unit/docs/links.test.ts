/**
 * The README and the pages under docs/ link to each other, to files of the repository and to
 * images: every such link must land (file there, heading there), so moving a section cannot
 * silently leave a reader at a dead end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { anchorsOf, brokenLink, linksOf, ROOT } from '../helpers/docs';

const pages = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

test.each(pages)('every link in %s lands', (page) => {
	const file = join(ROOT, page);
	const broken = linksOf(file)
		.map((link) => brokenLink(file, link))
		.filter((problem) => problem !== null);
	expect(broken).toEqual([]);
});

test('the link checker itself refuses what does not exist', () => {
	const readme = join(ROOT, 'README.md');
	expect(brokenLink(readme, 'docs/no-such-page.md')).toMatch(/does not exist/);
	expect(brokenLink(readme, 'docs/reference.md#no-such-heading')).toMatch(/no heading/);
	expect(brokenLink(readme, '#no-such-heading')).toMatch(/no heading/);
	expect(brokenLink(readme, 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent/blob/main/nope.md')).toMatch(
		/does not exist/,
	);
	expect(brokenLink(readme, 'docs/reference.md#credentials')).toBeNull();
});

test('the README begins with install and a quick start, before any reference material', () => {
	const anchors = anchorsOf(join(ROOT, 'README.md'));
	expect(anchors.slice(0, 3)).toEqual(['n8n-nodes-voice-agent', 'install', 'quick-start-a-verified-delivery-in-five-steps']);
});

const credentialSources = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } }).n8n.credentials.map(
	(compiled) => compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts'),
);

test.each(credentialSources)("%s: the editor's documentation link lands", (source) => {
	const url = /documentationUrl = '([^']+)'/.exec(readFileSync(join(ROOT, source), 'utf8'))?.[1];
	expect(url).toMatch(/^https:\/\/github\.com\/n8n-nodes-voice-agent\/n8n-nodes-voice-agent\//);
	expect(brokenLink(join(ROOT, 'README.md'), url!)).toBeNull();
});
