import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type IWebhookFunctions,
	type JsonObject,
} from 'n8n-workflow';

import type { Platform, SessionApi, SessionRef } from './platforms/Platform';
import { isLoopbackHost } from './urls';
import { asObject, asString, type TranscriptEntry } from './VoiceAgentEvent';

export type ApiCredentialType = 'voiceAgentApiKeyApi' | 'voiceAgentJwtApi';
type ApiContext = IExecuteFunctions | IWebhookFunctions;

/**
 * Session and agent ids as the platforms issue them (uuids, `sess_…`, `ag_…`). The id goes into
 * the URL path: `.`/`..` (which encodeURIComponent leaves alone) would be resolved as path steps
 * and send the API key to another endpoint, so an id never starts with a dot.
 */
const API_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.:-]{0,127}$/;

/** Why an id cannot go into an API path; undefined when it can. */
export function invalidId(label: string, id: string): string | undefined {
	if (id === '') return `${label} is empty`;
	if (API_ID.test(id)) return undefined;
	const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id;
	return `${label} ${JSON.stringify(shown)} is not a valid id: use 1–128 letters, digits, "_", "-", "." or ":", not starting with "."`;
}


/**
 * The API base URL, or why the API key may not be sent there: https only (http on this
 * machine, for tests), nothing that would be mixed into the paths built from it.
 */
export function apiBaseUrl(raw: unknown): URL | string {
	let url: URL;
	try {
		url = new URL(typeof raw === 'string' ? raw.trim() : '');
	} catch {
		return 'The API Base URL in the credential is not a URL (e.g. https://api.agntix.ai)';
	}
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
		return 'The API Base URL must start with https:// (http:// only for localhost): the API key is not sent in clear text';
	}
	if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
		return 'The API Base URL must be a plain address, without a user name, password, query or fragment';
	}
	return url;
}

/** base + path, or undefined when resolving the URL would move it (dot segments, another host). */
export function apiUrl(base: URL, path: string): string | undefined {
	const expected = `${base.pathname.replace(/\/+$/, '')}${path}`;
	const url = new URL(`${base.origin}${expected}`);
	return url.origin === base.origin && url.pathname === expected ? url.href : undefined;
}

/** A platform API error in words a user can act on. */
function apiError(context: ApiContext, response: IN8nHttpFullResponse, what: string): NodeApiError {
	const status = response.statusCode;
	if (status >= 300 && status < 400) {
		// Redirects are not followed (the key would go with them); the body is not worth showing.
		return new NodeApiError(context.getNode(), {} as JsonObject, {
			message: `The platform answered with a redirect (HTTP ${status}) for ${what}. Redirects are not followed, so the API key only goes to the API Base URL: set it to the platform's API address.`,
			httpCode: String(status),
		});
	}
	const retryAfter = asString(asObject(response.headers)['retry-after']);
	const messages: Record<number, string> = {
		401: 'The platform refused the credentials: check the API key (or token) and the header it is sent in',
		403: 'The credentials are valid but may not read this session',
		404: `No such session: ${what}`,
		429: `Rate limited by the platform${retryAfter ? `: retry after ${retryAfter} s` : ''}`,
	};
	return new NodeApiError(context.getNode(), asObject(response.body) as JsonObject, {
		message: messages[status] ?? `The platform answered HTTP ${status} for ${what}`,
		httpCode: String(status),
	});
}

async function getJson(
	context: ApiContext,
	credentialType: ApiCredentialType,
	path: string,
	what: string,
	qs?: IDataObject,
): Promise<IDataObject> {
	const { baseUrl } = await context.getCredentials(credentialType);
	const base = apiBaseUrl(baseUrl);
	if (typeof base === 'string') throw new NodeOperationError(context.getNode(), base);
	const url = apiUrl(base, path);
	if (url === undefined) {
		throw new NodeOperationError(context.getNode(), `Refused to call ${path}: the URL does not stay under the API Base URL`);
	}
	const options: IHttpRequestOptions = {
		method: 'GET',
		url,
		qs,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect would carry the API key to wherever it points; a 3xx is reported instead.
		disableFollowRedirect: true,
		// The trigger fetches while a sender waits for its answer (Agntix gives up after 15 s).
		timeout: 10_000,
	};
	const response = (await context.helpers.httpRequestWithAuthentication.call(
		context,
		credentialType,
		options,
	)) as IN8nHttpFullResponse;
	if (response.statusCode >= 300) throw apiError(context, response, what);
	return asObject(response.body);
}

/** The platform's session API, or an error a user can act on. */
function sessionApi(context: ApiContext, platform: Platform): SessionApi {
	if (platform.api) return platform.api;
	throw new NodeOperationError(context.getNode(), `${platform.displayName} has no session API this node can read`);
}

/** Refuses ids that cannot go into an API path, before the platform builds any path from them. */
function checkIds(context: ApiContext, api: SessionApi, ref: SessionRef): void {
	const ids: Array<[string, string]> = [['Session ID', ref.sessionId]];
	if (api.needsAgentId) ids.unshift(['Agent ID', ref.agentId ?? '']);
	for (const [label, id] of ids) {
		const problem = invalidId(label, id);
		if (problem) throw new NodeOperationError(context.getNode(), problem);
	}
}

/** The session as the platform returns it. */
export async function fetchSession(
	context: ApiContext,
	credentialType: ApiCredentialType,
	platform: Platform,
	ref: SessionRef,
): Promise<IDataObject> {
	const api = sessionApi(context, platform);
	checkIds(context, api, ref);
	return await getJson(context, credentialType, api.sessionPath(ref), `session ${ref.sessionId}`);
}

/** The whole transcript, every page of it, as `[{role, text, at}]`. */
export async function fetchTranscript(
	context: ApiContext,
	credentialType: ApiCredentialType,
	platform: Platform,
	ref: SessionRef,
): Promise<TranscriptEntry[]> {
	const api = sessionApi(context, platform);
	checkIds(context, api, ref);
	return await api.transcript(
		async (path, qs) => await getJson(context, credentialType, path, `session ${ref.sessionId}`, qs),
		ref,
	);
}
