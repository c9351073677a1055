import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	NodeOperationError,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INode,
} from 'n8n-workflow';

import { apiBaseUrl, apiUrl, fetchSession, fetchTranscript, invalidId } from '../../../../nodes/shared/platformApi';
import { agntix } from '../../../../nodes/shared/platforms/agntix';
import { platformById } from '../../../../nodes/shared/platforms';
import { layercode } from '../../../../nodes/shared/platforms/layercode';

const NODE = { name: 'Voice Agent', type: 'n8n-nodes-voice-agent.voiceAgent' } as INode;
const KEY = 'pk_live_secret_key';

type Respond = (options: IHttpRequestOptions) => Promise<IN8nHttpFullResponse> | IN8nHttpFullResponse;

const ok = (body: IN8nHttpFullResponse['body']): IN8nHttpFullResponse => ({ statusCode: 200, headers: {}, body });

/** An execute context whose HTTP helper is `respond`; records every request it is asked to make. */
function apiContext(baseUrl: string, respond: Respond = () => ok({ id: 'sess_1' })) {
	const requests: IHttpRequestOptions[] = [];
	const getCredentials = jest.fn(async () => ({ baseUrl, apiKey: KEY }));
	const context = {
		getNode: () => NODE,
		getCredentials,
		helpers: {
			httpRequestWithAuthentication: jest.fn(async (_type: string, options: IHttpRequestOptions) => {
				requests.push(options);
				return await respond(options);
			}),
		},
	} as unknown as IExecuteFunctions;
	return { context, requests, getCredentials };
}

describe('audit #2: ids that are path steps never reach the API', () => {
	test.each([
		['agntix', { sessionId: '..' }],
		['agntix', { sessionId: '.' }],
		['layercode', { sessionId: '..', agentId: 'ag_7HX2Q9' }],
		['layercode', { sessionId: 'sess_1', agentId: '..' }],
		['layercode', { sessionId: '.', agentId: '.' }],
	] as const)('audit #2: %s %j is refused before any request', async (platform, ref) => {
		const { context, requests } = apiContext('https://api.example.com');
		const run = fetchSession(context, 'voiceAgentApiKeyApi', platformById(platform)!, ref);
		await expect(run).rejects.toBeInstanceOf(NodeOperationError);
		await expect(fetchSession(context, 'voiceAgentApiKeyApi', platformById(platform)!, ref)).rejects.toThrow(/is not a valid id/);
		expect(requests).toEqual([]);
	});

	test('audit #2: Get Transcript (also what the trigger’s Include Full Transcript calls) refuses ".." too', async () => {
		const { context, requests } = apiContext('https://api.example.com', () => ok({ data: [] }));
		await expect(fetchTranscript(context, 'voiceAgentApiKeyApi', agntix, { sessionId: '..' })).rejects.toThrow(
			'Session ID ".." is not a valid id',
		);
		expect(requests).toEqual([]);
	});

	test.each(['', 'a/b', '../x', 'a?b=1', 'a#b', 'a b', '%2e%2e', '..%2f', '.hidden', 'a\\b', 'é', 'x'.repeat(129)])(
		'audit #2: %p is not an id',
		(id) => {
			expect(invalidId('Session ID', id)).toEqual(expect.any(String));
		},
	);

	test.each(['sess_01JXK3M9V4Q7ZP2N8R6T5W1Y0C', '1c7e5a3b-2f4d-4b6a-9e8c-7d5f3b1a9c2e', 'ag_7HX2Q9', 'a.b', 'x:y', 'x'.repeat(128)])(
		'%p is an id',
		(id) => {
			expect(invalidId('Session ID', id)).toBeUndefined();
		},
	);

	test('the error says which id and what an id may contain, bounded', () => {
		expect(invalidId('Agent ID', '')).toBe('Agent ID is empty');
		const message = invalidId('Session ID', `../${'a'.repeat(500)}`)!;
		expect(message).toMatch(/^Session ID "\.\.\/a+…" is not a valid id: use 1–128 letters/);
		expect(message.length).toBeLessThan(200);
	});

	test('audit #2: a built URL that would resolve elsewhere is refused', () => {
		const base = new URL('https://api.example.com/agntix/');
		expect(apiUrl(base, '/api/v1/chat/sessions/..')).toBeUndefined();
		expect(apiUrl(base, '/api/v1/chat/sessions/%2e%2e')).toBeUndefined(); // WHATWG URL treats %2e as a dot
		expect(apiUrl(base, '/api/v1/chat/sessions/a/../../b')).toBeUndefined();
		expect(apiUrl(base, '/api/v1/chat/sessions/sess_1')).toBe('https://api.example.com/agntix/api/v1/chat/sessions/sess_1');
	});

	test('valid ids: the exact URL, under the base URL’s own path', async () => {
		const { context, requests } = apiContext('https://api.layercode.com/');
		await fetchSession(context, 'voiceAgentApiKeyApi', layercode, { sessionId: 'sess_1', agentId: 'ag_7HX2Q9' });
		expect(requests[0].url).toBe('https://api.layercode.com/v1/agents/ag_7HX2Q9/sessions/sess_1');
	});
});

describe('audit #12: the API key goes to the https API Base URL and nowhere else', () => {
	test.each(['http://api.agntix.ai', 'http://10.0.0.5:8080', 'http://localhost.example.com', 'http://localhost:1@evil.example.com', 'ftp://api.agntix.ai', 'api.agntix.ai', ''])(
		'audit #12: base URL %p is refused before any request',
		async (baseUrl) => {
			const { context, requests } = apiContext(baseUrl);
			await expect(fetchSession(context, 'voiceAgentApiKeyApi', agntix, { sessionId: 'sess_1' })).rejects.toThrow(
				/API Base URL/,
			);
			expect(requests).toEqual([]);
		},
	);

	test.each(['https://user:pass@api.agntix.ai', 'https://api.agntix.ai/?x=1', 'https://api.agntix.ai/#x'])(
		'base URL %p (parts that would be mixed into every path) is refused',
		(baseUrl) => {
			expect(apiBaseUrl(baseUrl)).toEqual(expect.stringMatching(/plain address/));
		},
	);

	test.each(['https://api.agntix.ai', 'https://api.layercode.com/', 'http://127.0.0.1:4010', 'http://localhost:4010/x', 'http://[::1]:4010'])(
		'base URL %p is accepted (http only on this machine, for tests)',
		(baseUrl) => {
			expect(apiBaseUrl(baseUrl)).toBeInstanceOf(URL);
		},
	);

	test('audit #12: requests ask n8n not to follow redirects', async () => {
		const { context, requests } = apiContext('https://api.agntix.ai');
		await fetchSession(context, 'voiceAgentApiKeyApi', agntix, { sessionId: 'sess_1' });
		expect(requests[0]).toMatchObject({ disableFollowRedirect: true, url: 'https://api.agntix.ai/api/v1/chat/sessions/sess_1' });
	});

	test('a 3xx answer is an error that says why it was not followed', async () => {
		const { context } = apiContext('https://api.agntix.ai', () => ({
			statusCode: 302,
			headers: { location: 'https://elsewhere.example.com/' },
			body: '<a href="https://elsewhere.example.com/">Found</a>',
		}));
		await expect(fetchSession(context, 'voiceAgentApiKeyApi', agntix, { sessionId: 'sess_1' })).rejects.toThrow(
			/redirect \(HTTP 302\).*not followed/,
		);
	});

	describe('over real sockets: the platform redirects to another host', () => {
		let platform: Server;
		let elsewhere: Server;
		const stolen: IncomingMessage['headers'][] = [];
		const url = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

		beforeAll(async () => {
			elsewhere = createServer((req: IncomingMessage, res: ServerResponse) => {
				stolen.push(req.headers);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"internal":"data"}');
			});
			platform = createServer((_req: IncomingMessage, res: ServerResponse) => {
				res.writeHead(302, { location: `${url(elsewhere)}/internal` }).end();
			});
			for (const server of [elsewhere, platform]) {
				server.listen(0, '127.0.0.1');
				await once(server, 'listening');
			}
		});
		afterAll(() => {
			platform.close();
			elsewhere.close();
		});

		/** n8n's helper as it treats redirects: followed unless disableFollowRedirect (axios maxRedirects 0). */
		const n8nLikeRequest: Respond = async (options) => {
			const response = await fetch(options.url, {
				headers: { 'x-api-key': KEY },
				redirect: options.disableFollowRedirect ? 'manual' : 'follow',
			});
			const text = await response.text();
			return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text ? (JSON.parse(text) as IN8nHttpFullResponse['body']) : '' };
		};

		test('audit #12: the redirect is not followed and the other host never sees the key', async () => {
			const { context } = apiContext(url(platform), n8nLikeRequest);
			await expect(fetchSession(context, 'voiceAgentApiKeyApi', agntix, { sessionId: 'sess_1' })).rejects.toThrow(
				/redirect \(HTTP 302\)/,
			);
			expect(stolen).toEqual([]);
		});
	});
});
