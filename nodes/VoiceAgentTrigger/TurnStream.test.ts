import { EventEmitter } from 'node:events';
import type { IWebhookFunctions } from 'n8n-workflow';

import { openTurnStream, sendWholeTurn, turnEventsForChunk } from './TurnStream';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Just enough of express's Response: records what reaches the socket. */
class FakeResponse extends EventEmitter {
	/** Everything written to the "socket", one entry per write. */
	written: string[] = [];
	statusCode?: number;
	headers?: Record<string, string>;
	headersFlushed = 0;
	flushes = 0;
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
		this.emit('finish');
		return this;
	}

	writeHead(status: number, headers: Record<string, string>): this {
		this.statusCode = status;
		this.headers = headers;
		return this;
	}

	flushHeaders(): void {
		this.headersFlushed++;
	}

	/** compression's flush, present when n8n's compression middleware wrapped the response */
	flush(): void {
		this.flushes++;
	}

	/** The SSE body as the platform receives it. */
	get body(): string {
		return this.written.join('');
	}

	/** The JSON of every `data:` frame, in order. */
	get events(): Array<Record<string, unknown>> {
		return this.body
			.split('\n\n')
			.filter((frame) => frame.startsWith('data: '))
			.map((frame) => JSON.parse(frame.slice('data: '.length)) as Record<string, unknown>);
	}
}

const TURN = 'turn_01JXK3N2B5C8E1G4I7K0M3P6R9';

/** A line as n8n writes it to a streaming webhook response. */
function chunk(type: string, content?: string): string {
	const metadata = { nodeId: 'node-1', nodeName: 'Voice Agent', runIndex: 0, itemIndex: 0, timestamp: 1749737000000 };
	return `${JSON.stringify(content === undefined ? { type, metadata } : { type, content, metadata })}\n`;
}

function open(options: { turnId?: string | null; apology?: string } = {}) {
	const fake = new FakeResponse();
	const res = fake as unknown as Response;
	openTurnStream(res, { turnId: options.turnId === undefined ? TURN : options.turnId, apology: options.apology });
	return { fake, res };
}

describe('openTurnStream: headers', () => {
	test('200 with SSE headers, flushed at once', () => {
		const { fake } = open();
		expect(fake.statusCode).toBe(200);
		expect(fake.headers).toMatchObject({
			'Content-Type': 'text/event-stream',
			'X-Accel-Buffering': 'no',
			Connection: 'keep-alive',
		});
		expect(fake.headers!['Cache-Control']).toContain('no-cache');
		expect(fake.headers!['Cache-Control']).toContain('no-transform');
		expect(fake.headersFlushed).toBe(1);
		expect(fake.written).toEqual([]);
	});
});

describe('openTurnStream: n8n chunks → turn events', () => {
	test("our node's JSON turn events pass through with the request's turn_id", () => {
		const { fake, res } = open();
		res.write(chunk('item', JSON.stringify({ type: 'response.tts', content: 'One moment, let me look that up.' })));
		res.write(chunk('item', JSON.stringify({ type: 'response.data', content: { orderId: '48152', status: 'delayed' } })));
		res.write(chunk('item', JSON.stringify({ type: 'response.tts', content: 'It arrives tomorrow.', turn_id: 'stale' })));
		res.write(chunk('item', JSON.stringify({ type: 'response.end' })));
		expect(fake.events).toEqual([
			{ type: 'response.tts', content: 'One moment, let me look that up.', turn_id: TURN },
			{ type: 'response.data', content: { orderId: '48152', status: 'delayed' }, turn_id: TURN },
			{ type: 'response.tts', content: 'It arrives tomorrow.', turn_id: TURN },
			{ type: 'response.end', turn_id: TURN },
		]);
	});

	test('plain text items (an AI Agent streaming tokens) become response.tts, untouched', () => {
		const { fake, res } = open();
		for (const token of ['Your', ' order', ' is', ' on its way.', ' {not json', ' {"foo":1}']) res.write(chunk('item', token));
		expect(fake.events).toEqual(
			['Your', ' order', ' is', ' on its way.', ' {not json', ' {"foo":1}'].map((content) => ({
				type: 'response.tts',
				content,
				turn_id: TURN,
			})),
		);
	});

	test('JSON that is not a turn event is spoken as text', () => {
		const { fake, res } = open();
		res.write(chunk('item', '{"type":"message","text":"x"}'));
		expect(fake.events).toEqual([{ type: 'response.tts', content: '{"type":"message","text":"x"}', turn_id: TURN }]);
	});

	test('begin and end chunks, and empty items, send nothing', () => {
		const { fake, res } = open();
		res.write(chunk('begin'));
		res.write(chunk('item', ''));
		res.write(chunk('end'));
		expect(fake.written).toEqual([]);
	});

	test('a keepalive chunk becomes an SSE comment', () => {
		const { fake, res } = open();
		res.write(chunk('keepalive'));
		expect(fake.written).toEqual([': keepalive\n\n']);
	});

	test('an error chunk → response.error then response.end', () => {
		const { fake, res } = open();
		res.write(chunk('error', 'Node "CRM" failed: 502'));
		expect(fake.events).toEqual([
			{ type: 'response.error', error: 'Node "CRM" failed: 502', turn_id: TURN },
			{ type: 'response.end', turn_id: TURN },
		]);
	});

	test('an error chunk with no message gets a generic one', () => {
		const { fake, res } = open();
		res.write(chunk('error'));
		expect(fake.events[0]).toEqual({ type: 'response.error', error: 'The workflow failed', turn_id: TURN });
	});

	test('with an apology configured, the caller hears it before the error', () => {
		const { fake, res } = open({ apology: "Sorry, I couldn't do that." });
		res.write(chunk('error', 'boom'));
		expect(fake.events).toEqual([
			{ type: 'response.tts', content: "Sorry, I couldn't do that.", turn_id: TURN },
			{ type: 'response.error', error: 'boom', turn_id: TURN },
			{ type: 'response.end', turn_id: TURN },
		]);
	});

	test('lines that are not JSON are ignored', () => {
		const { fake, res } = open();
		res.write('not json at all\n');
		res.write('\n');
		res.write('   \n');
		expect(fake.written).toEqual([]);
	});

	test('each SSE frame is one write of exactly `data: <compact JSON>\\n\\n`, flushed', () => {
		const { fake, res } = open();
		res.write(chunk('item', 'Hello'));
		res.write(chunk('item', JSON.stringify({ type: 'response.data', content: { a: [1, { b: 2 }] } })));
		res.end();
		expect(fake.written).toHaveLength(3);
		for (const frame of fake.written) {
			const match = /^data: (.+)\n\n$/.exec(frame);
			expect(match).not.toBeNull();
			expect(JSON.stringify(JSON.parse(match![1]))).toBe(match![1]);
			expect(match![1]).not.toContain('\n');
		}
		expect(fake.flushes).toBe(3);
	});

	test('with no request turn id, turn_id is null (or the event’s own)', () => {
		const { fake, res } = open({ turnId: null });
		res.write(chunk('item', 'hi'));
		res.write(chunk('item', JSON.stringify({ type: 'response.tts', content: 'x', turn_id: 'own' })));
		expect(fake.events.map((event) => event.turn_id)).toEqual([null, 'own']);
	});
});

describe('openTurnStream: framing of n8n’s writes', () => {
	test('a chunk line split across two writes is reassembled', () => {
		const { fake, res } = open();
		const line = chunk('item', 'Hello, how can I help?');
		res.write(line.slice(0, 17));
		expect(fake.written).toEqual([]);
		res.write(line.slice(17));
		expect(fake.events).toEqual([{ type: 'response.tts', content: 'Hello, how can I help?', turn_id: TURN }]);
	});

	test('a line split into many pieces, including inside a multi-byte character (strings)', () => {
		const { fake, res } = open();
		const line = chunk('item', 'Grüße aus 東京 🎧');
		for (const piece of line.match(/[\s\S]{1,3}/g)!) res.write(piece);
		expect(fake.events).toEqual([{ type: 'response.tts', content: 'Grüße aus 東京 🎧', turn_id: TURN }]);
	});

	test('several lines in one write, Buffers as well as strings', () => {
		const { fake, res } = open();
		res.write(Buffer.from(chunk('item', 'one') + chunk('item', 'two') + chunk('item', 'thr')));
		res.write(chunk('item', 'four'));
		expect(fake.events.map((event) => event.content)).toEqual(['one', 'two', 'thr', 'four']);
	});

	test('write() reports success and calls its callback', () => {
		const { res } = open();
		const callback = jest.fn();
		expect(res.write(chunk('begin'), callback)).toBe(true);
		expect(res.write(chunk('begin'), 'utf8', callback)).toBe(true);
		expect(callback).toHaveBeenCalledTimes(2);
	});

	test('a final line passed to end() is processed before response.end', () => {
		const { fake, res } = open();
		res.end(chunk('item', 'Goodbye.'));
		expect(fake.events).toEqual([
			{ type: 'response.tts', content: 'Goodbye.', turn_id: TURN },
			{ type: 'response.end', turn_id: TURN },
		]);
	});

	// Bug: end(data) appends data to the pending buffer but only complete lines are processed,
	// so a last line without its trailing newline is silently dropped.
	test('a final line passed to end() without a trailing newline is still processed', () => {
		const { fake, res } = open();
		res.end(chunk('item', 'Goodbye.').trimEnd());
		expect(fake.events).toEqual([
			{ type: 'response.tts', content: 'Goodbye.', turn_id: TURN },
			{ type: 'response.end', turn_id: TURN },
		]);
	});
});

describe('openTurnStream: response.end exactly once', () => {
	const ends = (fake: FakeResponse) => fake.events.filter((event) => event.type === 'response.end').length;

	test('end() sends response.end when the workflow never did', () => {
		const { fake, res } = open();
		res.write(chunk('item', 'Hello'));
		res.end();
		expect(fake.events).toEqual([
			{ type: 'response.tts', content: 'Hello', turn_id: TURN },
			{ type: 'response.end', turn_id: TURN },
		]);
		expect(fake.endCalls).toBe(1);
	});

	test('end() on a turn with nothing said still sends response.end', () => {
		const { fake, res } = open();
		res.end();
		expect(fake.events).toEqual([{ type: 'response.end', turn_id: TURN }]);
		expect(fake.writableEnded).toBe(true);
	});

	test('end() after the workflow sent response.end does not send another', () => {
		const { fake, res } = open();
		res.write(chunk('item', JSON.stringify({ type: 'response.end' })));
		res.end();
		expect(ends(fake)).toBe(1);
		expect(fake.endCalls).toBe(1);
	});

	test('end() after an error chunk (which ended the turn) does not send another', () => {
		const { fake, res } = open();
		res.write(chunk('error', 'boom'));
		res.end();
		expect(ends(fake)).toBe(1);
	});

	test('several response.end events from the workflow → one on the wire', () => {
		const { fake, res } = open();
		const end = chunk('item', JSON.stringify({ type: 'response.end' }));
		res.write(end + end);
		res.write(end);
		res.end();
		expect(ends(fake)).toBe(1);
	});

	test('nothing is sent after response.end: no events, no keepalives', () => {
		const { fake, res } = open();
		res.write(chunk('item', JSON.stringify({ type: 'response.end' })));
		const before = fake.written.length;
		res.write(chunk('item', 'too late'));
		res.write(chunk('keepalive'));
		res.write(chunk('error', 'late failure'));
		expect(fake.written).toHaveLength(before);
	});

	test('end() twice: the second is a harmless no-op', () => {
		const { fake, res } = open();
		res.end();
		expect(() => res.end()).not.toThrow();
		expect(fake.endCalls).toBe(1);
		expect(ends(fake)).toBe(1);
	});
});

describe('openTurnStream: the caller hung up (interruption)', () => {
	test('writes after the response is destroyed are dropped without throwing', () => {
		const { fake, res } = open();
		res.write(chunk('item', 'Hello'));
		fake.destroyed = true;
		fake.emit('close');
		expect(() => {
			res.write(chunk('item', 'Are you still there?'));
			res.write(chunk('keepalive'));
			res.write(chunk('error', 'boom'));
			res.end();
		}).not.toThrow();
		expect(fake.events).toEqual([{ type: 'response.tts', content: 'Hello', turn_id: TURN }]);
	});

	test('writes after the response has ended are dropped without throwing', () => {
		const { fake, res } = open();
		res.end();
		const before = fake.written.length;
		expect(() => res.write(chunk('item', 'late'))).not.toThrow();
		expect(fake.written).toHaveLength(before);
	});

	test('concurrent turns on two responses never mix', () => {
		const a = open({ turnId: 'turn_a' });
		const b = open({ turnId: 'turn_b' });
		const line = chunk('item', 'split across writes');
		a.res.write(line.slice(0, 10));
		b.res.write(chunk('item', 'b speaks'));
		a.res.write(line.slice(10));
		a.res.end();
		expect(a.fake.events).toEqual([
			{ type: 'response.tts', content: 'split across writes', turn_id: 'turn_a' },
			{ type: 'response.end', turn_id: 'turn_a' },
		]);
		expect(b.fake.events).toEqual([{ type: 'response.tts', content: 'b speaks', turn_id: 'turn_b' }]);
	});
});

describe('sendWholeTurn (a static welcome, no workflow run)', () => {
	test('SSE headers, the events then one response.end, in a single end()', () => {
		const fake = new FakeResponse();
		sendWholeTurn(fake as unknown as Response, TURN, [{ type: 'response.tts', content: 'Welcome to Acme!' }]);
		expect(fake.statusCode).toBe(200);
		expect(fake.headers).toMatchObject({ 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no' });
		expect(fake.endCalls).toBe(1);
		expect(fake.body).toBe(
			`data: {"type":"response.tts","content":"Welcome to Acme!","turn_id":"${TURN}"}\n\n` +
				`data: {"type":"response.end","turn_id":"${TURN}"}\n\n`,
		);
	});

	test('no events → just response.end', () => {
		const fake = new FakeResponse();
		sendWholeTurn(fake as unknown as Response, null, []);
		expect(fake.events).toEqual([{ type: 'response.end', turn_id: null }]);
	});
});

describe('turnEventsForChunk', () => {
	test.each([
		[{ type: 'item', content: 'Hello' }, [{ type: 'response.tts', content: 'Hello' }]],
		[{ type: 'item', content: '{"type":"response.end"}' }, [{ type: 'response.end' }]],
		[
			{ type: 'item', content: '{"type":"response.data","content":[1,2]}' },
			[{ type: 'response.data', content: [1, 2] }],
		],
		[{ type: 'item', content: '' }, []],
		[{ type: 'item' }, []],
		[{ type: 'item', content: 42 }, []],
		[{ type: 'begin' }, []],
		[{ type: 'end', content: 'x' }, []],
		[{}, []],
		[{ type: 'error', content: 'boom' }, [{ type: 'response.error', error: 'boom' }, { type: 'response.end' }]],
		[{ type: 'error', content: '' }, [{ type: 'response.error', error: 'The workflow failed' }, { type: 'response.end' }]],
	])('%j → %j', (input, expected) => {
		expect(turnEventsForChunk(input)).toEqual(expected);
	});

	test('keepalive', () => {
		expect(turnEventsForChunk({ type: 'keepalive' })).toBe('keepalive');
	});

	test('the apology only applies to errors', () => {
		expect(turnEventsForChunk({ type: 'error' }, 'Sorry.')).toEqual([
			{ type: 'response.tts', content: 'Sorry.' },
			{ type: 'response.error', error: 'The workflow failed' },
			{ type: 'response.end' },
		]);
		expect(turnEventsForChunk({ type: 'item', content: 'hi' }, 'Sorry.')).toEqual([{ type: 'response.tts', content: 'hi' }]);
	});
});
