import {
	NodeApiError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type IWebhookFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { layercodeTranscript } from '../VoiceAgentTrigger/platforms/layercode';
import { asObject, asString, toIsoTime, type TranscriptEntry } from './VoiceAgentEvent';

/** The platforms whose session API this package calls. */
export type ApiPlatform = 'agntix' | 'layercode';
export type ApiCredentialType = 'voiceAgentApiKeyApi' | 'voiceAgentJwtApi';
type ApiContext = IExecuteFunctions | IWebhookFunctions;

export interface SessionRef {
	sessionId: string;
	/** Layercode's API addresses a session through its agent. */
	agentId?: string;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 1000; // a runaway pagination loop stops here (100,000 messages)

/** A platform API error in words a user can act on. */
function apiError(context: ApiContext, response: IN8nHttpFullResponse, what: string): NodeApiError {
	const status = response.statusCode;
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
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: `${String(baseUrl).replace(/\/+$/, '')}${path}`,
		qs,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
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

const sessionPath = (platform: ApiPlatform, ref: SessionRef) =>
	platform === 'layercode'
		? `/v1/agents/${encodeURIComponent(ref.agentId ?? '')}/sessions/${encodeURIComponent(ref.sessionId)}`
		: `/api/v1/chat/sessions/${encodeURIComponent(ref.sessionId)}`;

/** The session as the platform returns it. */
export async function fetchSession(
	context: ApiContext,
	credentialType: ApiCredentialType,
	platform: ApiPlatform,
	ref: SessionRef,
): Promise<IDataObject> {
	return await getJson(context, credentialType, sessionPath(platform, ref), `session ${ref.sessionId}`);
}

/** Agntix message roles (USER, ASSISTANT…) in the common lower-case shape. */
function agntixMessage(raw: unknown): TranscriptEntry {
	const message = asObject(raw);
	return {
		role: (asString(message.role) ?? '').toLowerCase(),
		text: asString(message.content) ?? '',
		at: toIsoTime(message.createdAt),
	};
}

/** The whole transcript, every page of it, as `[{role, text, at}]`. */
export async function fetchTranscript(
	context: ApiContext,
	credentialType: ApiCredentialType,
	platform: ApiPlatform,
	ref: SessionRef,
): Promise<TranscriptEntry[]> {
	if (platform === 'layercode') {
		const session = await fetchSession(context, credentialType, platform, ref);
		return layercodeTranscript(session.transcript) ?? [];
	}
	const transcript: TranscriptEntry[] = [];
	const path = `${sessionPath(platform, ref)}/messages`;
	for (let page = 1; page <= MAX_PAGES; page++) {
		const body = await getJson(context, credentialType, path, `session ${ref.sessionId}`, { page, limit: PAGE_SIZE });
		const messages = Array.isArray(body.data) ? body.data : [];
		transcript.push(...messages.map(agntixMessage));
		const totalPages = Number(asObject(body.pagination).totalPages);
		if (messages.length === 0 || !(page < totalPages)) break;
	}
	return transcript;
}
