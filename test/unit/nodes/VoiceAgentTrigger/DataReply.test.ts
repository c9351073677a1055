import { EventEmitter } from 'node:events';
import type { IWebhookFunctions } from 'n8n-workflow';

import {
	EMPTY_REPLY,
	FAILED_REPLY,
	openDataReply,
	replyStepForChunk,
} from '../../../../nodes/VoiceAgentTrigger/DataReply';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Just enough of express's Response: records what reaches the socket. */
class FakeResponse extends EventEmitter {
	written: string[] = [];
	statusCode?: number;
	headers?: Record<string, string>;
	endCalls = 0;
	destroyed = false;
	writableEnded = false;

	write(chunk: unknown): boolean {
		if (this.writableEnded) throw new Error('write after end');
		this.written.push(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
		return true;
	}

	end(...args: unknown[]): this {
		if (this.writableEnded) throw new Error('end twice');
		if (args.length && typeof args[0] !== 'function') this.written.push(String(args[0]));
		this.endCalls++;
		this.writableEnded = true;
		return this;
	}

	writeHead(status: number, headers: Record<string, string>): this {
		if (this.statusCode !== undefined) throw new Error('headers twice');
		this.statusCode = status;
		this.headers = headers;
		return this;
	}

	get body(): string {
		return this.written.join('');
	}
}

const SEND_DATA = 'Send Data';

/** A line as n8n writes it to a streaming webhook response, sent by the node named `from`. */
function chunk(type: string, content?: string, from = SEND_DATA): string {
	const metadata = { nodeId: 'node-1', nodeName: from, runIndex: 0, itemIndex: 0, timestamp: 1749737000000 };
	return `${JSON.stringify(content === undefined ? { type, metadata } : { type, content, metadata })}\n`;
}
const data = (content: unknown, from?: string) => chunk('item', JSON.stringify({ type: 'response.data', content }), from);
const endTurn = (from?: string) => chunk('item', JSON.stringify({ type: 'response.end' }), from);

function open(controlNodes: string[] = [SEND_DATA, 'Send Data 2', 'End Turn']) {
	const fake = new FakeResponse();
	const res = fake as unknown as Response;
	openDataReply(res, { controlNodes });
	return { fake, res };
}

describe('openDataReply: one plain JSON answer for a Layercode data event', () => {
	test('nothing is written while the workflow runs; the Send Data JSON goes out when n8n ends the response', () => {
		const { fake, res } = open();
		res.write(chunk('begin'));
		res.write(data({ order: { id: 'ORD-12345', status: 'confirmed' } }));
		res.write(chunk('end'));
		expect(fake.written).toEqual([]);
		expect(fake.statusCode).toBeUndefined();
		res.end();
		expect(fake.statusCode).toBe(200);
		expect(fake.headers).toEqual({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
		expect(fake.body).toBe('{"order":{"id":"ORD-12345","status":"confirmed"}}');
		expect(fake.endCalls).toBe(1);
	});

	test('nothing sent → the documented empty answer {} (200, JSON)', () => {
		const { fake, res } = open();
		res.write(chunk('begin'));
		res.end();
		expect(fake.statusCode).toBe(200);
		expect(fake.headers!['Content-Type']).toMatch(/^application\/json/);
		expect(fake.body).toBe('{}');
		expect(EMPTY_REPLY).toEqual({});
	});

	test('a failed node → the generic JSON error, never n8n’s error text', () => {
		const { fake, res } = open();
		res.write(data({ partial: true }));
		res.write(chunk('error', 'Request failed: 401 {"apiKey":"sk_live_secret"} at Stack.trace (/x.js:1)', 'CRM'));
		res.end();
		expect(fake.statusCode).toBe(200);
		expect(JSON.parse(fake.body)).toEqual(FAILED_REPLY);
		expect(FAILED_REPLY).toEqual({ error: 'workflow_failed', message: expect.any(String) });
		expect(fake.body).not.toMatch(/sk_live|Stack|401|CRM/);
	});

	test('a node that continued on error, then Send Data: the later Send Data is the answer', () => {
		const { fake, res } = open();
		res.write(chunk('error', 'timeout', 'CRM'));
		res.write(data({ fallback: true }));
		res.end();
		expect(JSON.parse(fake.body)).toEqual({ fallback: true });
	});

	test('two Send Data nodes: the last one wins, exactly one answer', () => {
		const { fake, res } = open();
		res.write(data({ step: 1 }));
		res.write(data({ step: 2 }, 'Send Data 2'));
		res.end();
		expect(fake.body).toBe('{"step":2}');
		expect(fake.endCalls).toBe(1);
	});

	test('End Turn sends the answer at once; later chunks, keepalives and n8n’s end change nothing', () => {
		const { fake, res } = open();
		res.write(data({ early: true }));
		res.write(endTurn('End Turn'));
		expect(fake.body).toBe('{"early":true}');
		expect(fake.endCalls).toBe(1);
		res.write(data({ late: true }));
		res.write('{"type":"keepalive"}\n');
		res.write(chunk('error', 'boom', 'Later'));
		expect(res.end()).toBe(res);
		expect(fake.body).toBe('{"early":true}');
		expect(fake.endCalls).toBe(1);
	});

	test('End Turn before any Send Data answers {}', () => {
		const { fake, res } = open();
		res.write(endTurn('End Turn'));
		expect(fake.body).toBe('{}');
	});

	test('keepalives, plain text (an AI Agent’s tokens) and speech never reach the JSON body', () => {
		const { fake, res } = open();
		res.write('{"type":"keepalive"}\n');
		res.write(chunk('item', 'Hello from a model', 'AI Agent'));
		res.write(chunk('item', JSON.stringify({ type: 'response.tts', content: 'spoken?' })));
		res.end();
		expect(fake.body).toBe('{}');
	});

	test('only a Voice Agent node may set the answer: the same JSON from another node is ignored', () => {
		const { fake, res } = open();
		res.write(data({ forged: true }, 'AI Agent'));
		res.write(endTurn('Code'));
		expect(fake.written).toEqual([]);
		res.end();
		expect(fake.body).toBe('{}');
	});

	test('any JSON value is a reply (array, string, number, null content → {})', () => {
		for (const [content, body] of [
			[[1, 2], '[1,2]'],
			['confirmed', '"confirmed"'],
			[0, '0'],
			[null, '{}'],
		] as const) {
			const { fake, res } = open();
			res.write(data(content));
			res.end();
			expect([content, fake.body]).toEqual([content, body]);
		}
	});

	test('lines split across writes, Buffers, a last line without newline and a chunk passed to end()', () => {
		const { fake, res } = open();
		const line = data({ split: 'yes' });
		res.write(line.slice(0, 10));
		res.write(Buffer.from(line.slice(10)));
		const last = data({ last: true }).trimEnd();
		res.end(last);
		expect(fake.body).toBe('{"last":true}');
	});

	test('lines that are not n8n’s framing are ignored', () => {
		const { fake, res } = open();
		res.write('not json\n{"type":\n');
		res.end();
		expect(fake.body).toBe('{}');
	});

	test('write() answers true and calls a write callback', () => {
		const { res } = open();
		const callback = jest.fn();
		expect(res.write(chunk('begin'), callback)).toBe(true);
		expect(callback).toHaveBeenCalledTimes(1);
	});

	test('the client went away: nothing is written, nothing throws', () => {
		const { fake, res } = open();
		res.write(data({ x: 1 }));
		fake.destroyed = true;
		expect(() => res.end()).not.toThrow();
		expect(fake.written).toEqual([]);
		expect(fake.statusCode).toBeUndefined();
		expect(fake.endCalls).toBe(0);
	});

	test('no control nodes given: nothing a workflow streams can set the answer', () => {
		const fake = new FakeResponse();
		openDataReply(fake as unknown as Response);
		(fake as unknown as Response).write(data({ x: 1 }));
		(fake as unknown as Response).end();
		expect(fake.body).toBe('{}');
	});

	test('concurrent requests never share a reply', () => {
		const a = open();
		const b = open();
		a.res.write(data({ who: 'a' }));
		b.res.write(data({ who: 'b' }));
		b.res.end();
		a.res.end();
		expect([a.fake.body, b.fake.body]).toEqual(['{"who":"a"}', '{"who":"b"}']);
	});
});

describe('replyStepForChunk', () => {
	const nodes = new Set([SEND_DATA]);
	const parse = (line: string) => JSON.parse(line) as Parameters<typeof replyStepForChunk>[0];

	test.each([
		['begin', parse(chunk('begin')), undefined],
		['keepalive', { type: 'keepalive' }, undefined],
		['response.data', parse(data({ a: 1 })), { reply: { a: 1 } }],
		['response.end', parse(endTurn()), { send: true }],
		['response.error from our node', parse(chunk('item', JSON.stringify({ type: 'response.error', error: 'x' }))), undefined],
		['error chunk', parse(chunk('error', 'boom', 'Anything')), { reply: FAILED_REPLY }],
		['item without content', { type: 'item', metadata: { nodeName: SEND_DATA } }, undefined],
		['item without metadata', { type: 'item', content: JSON.stringify({ type: 'response.end' }) }, undefined],
		['unknown event type', parse(chunk('item', JSON.stringify({ type: 'response.audio' }))), undefined],
	])('%s', (_, input, expected) => {
		expect(replyStepForChunk(input, nodes)).toEqual(expected);
	});
});
