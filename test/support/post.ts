/** A webhook delivery as a platform posts it: JSON content type, the body exactly as signed. */
export async function postJson(url: string, body: string, headers: Record<string, string> = {}) {
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
