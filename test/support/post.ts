/** What postJson returns: the answer's status, text, JSON (when it is JSON) and headers. */
export interface PostAnswer {
	status: number;
	text: string;
	json: Record<string, unknown> | undefined;
	headers: Headers;
}

/**
 * A webhook delivery as a platform posts it: JSON content type, the body exactly as signed.
 * The return type is written out: inferred, it names undici's types by their real path, which a
 * worktree whose node_modules is a symlink cannot emit declarations for (TS2742).
 */
export async function postJson(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<PostAnswer> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body,
	});
	const text = await response.text();
	let json: Record<string, unknown> | undefined;
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		json = undefined; // n8n's own error pages, or no body
	}
	return { status: response.status, text, json, headers: response.headers };
}
