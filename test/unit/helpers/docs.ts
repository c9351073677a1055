/**
 * The repository's documentation as GitHub renders it: which headings (anchors) each page has,
 * and whether a link into it lands. Used by the codex, credential and docs link tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const REPOSITORY_URL = 'https://github.com/n8n-nodes-voice-agent/n8n-nodes-voice-agent';

/** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

/** The anchors of a markdown file's headings (outside code blocks). */
export function anchorsOf(file: string): string[] {
	let inCode = false;
	const anchors: string[] = [];
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		else if (!inCode && /^#{1,6} /.test(line)) anchors.push(githubSlug(line.replace(/^#+ /, '').replace(/`/g, '')));
	}
	return anchors;
}

/**
 * Why a link from `fromFile` does not land, or null when it does: the target file must exist
 * and, for a markdown target with `#anchor`, have that heading. Absolute links must point into
 * this repository (its page, or `/blob/main/<path>`); other sites are not checked.
 */
export function brokenLink(fromFile: string, link: string): string | null {
	let target: string;
	let anchor: string | undefined;
	if (/^https?:/.test(link)) {
		if (!link.startsWith(REPOSITORY_URL)) return null;
		const rest = link.slice(REPOSITORY_URL.length);
		const [path, hash] = rest.split('#');
		if (path === '' || path === '/') target = join(ROOT, 'README.md');
		else if (path.startsWith('/blob/main/') || path.startsWith('/tree/main/')) target = join(ROOT, path.slice('/blob/main/'.length));
		else return `${link}: not a page of this repository's main branch`;
		anchor = hash;
	} else if (link.startsWith('#')) {
		target = fromFile;
		anchor = link.slice(1);
	} else {
		const [path, hash] = link.split('#');
		target = resolve(join(fromFile, '..'), decodeURI(path));
		anchor = hash;
	}
	if (!existsSync(target)) return `${link}: ${relative(ROOT, target)} does not exist`;
	if (anchor && target.endsWith('.md') && !anchorsOf(target).includes(anchor)) {
		return `${link}: ${relative(ROOT, target)} has no heading #${anchor}`;
	}
	return null;
}

/** The links of a markdown file: `[text](link)` and `![alt](image)`, outside code blocks. */
export function linksOf(file: string): string[] {
	const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
	return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}
