// A local stand-in for the platforms' session APIs (Agntix, Layercode): a real HTTP server that
// records every request's path and headers, so tests can check which credential reached it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
}

export interface PlatformStub {
	url: string;
	requests: RecordedRequest[];
	close(): Promise<void>;
}

export interface StubSession {
	id: string;
	messages: Array<{ id: string; content: string; role: string; createdAt: string }>;
}

/** Messages `count` long, alternating user and assistant, a second apart. */
export function conversation(count: number): StubSession['messages'] {
	return Array.from({ length: count }, (_, i) => ({
		id: `msg_${i}`,
		content: `line ${i}`,
		role: i % 2 === 0 ? 'USER' : 'ASSISTANT',
		createdAt: new Date(Date.UTC(2026, 10, 22, 10, 0, i)).toISOString(),
	}));
}

/**
 * Serves `GET /api/v1/chat/sessions/:id` and `/messages?page&limit` (Agntix) and
 * `GET /v1/agents/:agent/sessions/:id` (Layercode) for the given sessions; requests without
 * one of `acceptedKeys` in x-api-key or Authorization get 401.
 */
export async function startPlatformStub(sessions: StubSession[], acceptedKeys: string[]): Promise<PlatformStub> {
	const requests: RecordedRequest[] = [];
	const byId = new Map(sessions.map((session) => [session.id, session]));
	const server: Server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://stub');
		requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers });
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			res.writeHead(status, { 'content-type': 'application/json', ...headers });
			res.end(JSON.stringify(body));
		};
		const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
		const key = String(req.headers['x-api-key'] ?? '');
		if (!acceptedKeys.includes(key) && !acceptedKeys.includes(bearer)) return send(401, { error: 'Unauthorized' });
		if (url.pathname === '/rate-limited') return send(429, { error: 'slow down' }, { 'retry-after': '7' });

		const agntix = /^\/api\/v1\/chat\/sessions(?:\/([^/]+)(\/messages)?)?$/.exec(url.pathname);
		const layercode = /^\/v1\/agents\/([^/]+)\/sessions\/([^/]+)$/.exec(url.pathname);
		if (agntix && !agntix[1]) return send(200, { data: [], pagination: { page: 1, limit: 1, total: 0, totalPages: 0 } });
		const session = byId.get(decodeURIComponent((agntix?.[1] ?? layercode?.[2]) || ''));
		if (!session) return send(404, { error: 'Session not found' });
		if (layercode) {
			return send(200, {
				session_id: session.id,
				agent_id: layercode[1],
				duration_ms: 61000,
				transcript: session.messages.map((m) => ({ role: m.role.toLowerCase(), text: m.content, timestamp: Date.parse(m.createdAt) })),
			});
		}
		if (agntix?.[2]) {
			const page = Number(url.searchParams.get('page') ?? 1);
			const limit = Number(url.searchParams.get('limit') ?? 20);
			const data = session.messages.slice((page - 1) * limit, page * limit);
			return send(200, {
				data,
				pagination: { page, limit, total: session.messages.length, totalPages: Math.ceil(session.messages.length / limit) },
			});
		}
		return send(200, { id: session.id, state: 'CLOSED', messageCount: session.messages.length });
	});
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () => new Promise<void>((done) => server.close(() => done())),
	};
}
