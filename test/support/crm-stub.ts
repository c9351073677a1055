// A local stand-in for a CRM's REST API, for the Layercode "look up the caller" example: n8n's
// HTTP Request node calls it in place of https://crm.example.com. It records every request
// (method, path, headers, body, arrival and answer times) so a test can check what n8n asked,
// and it answers after `delayMs`, like a real API, so a test can show that "One moment…" reached
// the caller before the lookup finished.
//
//   GET /api/contacts/:id   → 200 the contact, or 404 {"error":"not_found"}
//   anything else           → 404 {"error":"no_route"} (recorded in `unexpected`)
// With `apiKey` set, a request without `Authorization: Bearer <apiKey>` is answered 401.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CrmContact {
	id: string;
	firstName: string;
	lastName: string;
	email: string;
	phone: string;
	tier: string;
	lastOrder: { number: string; status: string; carrier: string; eta: string };
}

export interface CrmRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingMessage['headers'];
	body: string;
	/** performance.now() when the request arrived and when its answer was written. */
	at: number;
	answeredAt?: number;
	status?: number;
}

export interface CrmStub {
	/** http://127.0.0.1:<port>: what replaces https://crm.example.com in the example. */
	baseUrl: string;
	port: number;
	requests: CrmRequest[];
	unexpected: CrmRequest[];
	contacts: Map<string, CrmContact>;
	stop(): Promise<void>;
}

export interface CrmStubOptions {
	/** Milliseconds before each answer (default 400). */
	delayMs?: number;
	/** The token the stub expects as `Authorization: Bearer …`; undefined accepts anything. */
	apiKey?: string;
	contacts?: CrmContact[];
}

/** The contact the sample Layercode message (`custom_metadata.crmContactId`) and Agntix session refer to. */
export const SAMPLE_CONTACT: CrmContact = {
	id: '0035g00000XyZabAAB',
	firstName: 'Dana',
	lastName: 'Whitfield',
	email: 'dana.whitfield@example.com',
	phone: '+14155550123',
	tier: 'gold',
	lastOrder: { number: '48152', status: 'out for delivery', carrier: 'DPD', eta: 'Friday' },
};

export async function startCrmStub(options: CrmStubOptions = {}): Promise<CrmStub> {
	const delayMs = options.delayMs ?? 400;
	const contacts = new Map((options.contacts ?? [SAMPLE_CONTACT]).map((contact) => [contact.id, contact]));
	const requests: CrmRequest[] = [];
	const unexpected: CrmRequest[] = [];

	const answer = (res: ServerResponse, request: CrmRequest, status: number, body: unknown) => {
		request.status = status;
		request.answeredAt = performance.now();
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	};

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://crm.invalid');
			const request: CrmRequest = {
				method: req.method ?? '',
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
				at: performance.now(),
			};
			requests.push(request);
			setTimeout(() => {
				if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
					answer(res, request, 401, { error: 'unauthorized' });
					return;
				}
				const match = /^\/api\/contacts\/([^/]+)$/.exec(url.pathname);
				if (req.method === 'GET' && match) {
					const contact = contacts.get(decodeURIComponent(match[1]));
					if (contact) answer(res, request, 200, contact);
					else answer(res, request, 404, { error: 'not_found' });
					return;
				}
				unexpected.push(request);
				answer(res, request, 404, { error: 'no_route' });
			}, delayMs);
		});
	});
	await new Promise<void>((done, fail) => {
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => done());
	});
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		port,
		requests,
		unexpected,
		contacts,
		stop: () =>
			new Promise((done) => {
				server.closeAllConnections();
				server.close(() => done());
			}),
	};
}
