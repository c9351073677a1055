import { isTurnEvent, SSE_HEADERS, sseFrame, TURN_EVENT_TYPES } from '../../../../nodes/shared/sse';

describe('SSE_HEADERS', () => {
	test('event stream, no caching or transformation, no proxy buffering', () => {
		expect(SSE_HEADERS).toEqual({
			'Content-Type': 'text/event-stream',
			'Cache-Control': 'no-cache, no-transform',
			Connection: 'keep-alive',
			'X-Accel-Buffering': 'no',
		});
	});
});

describe('isTurnEvent', () => {
	test.each(TURN_EVENT_TYPES)('%s is a turn event', (type) => {
		expect(isTurnEvent({ type })).toBe(true);
	});

	test.each([null, undefined, 'response.tts', 42, [], {}, { type: 'response.unknown' }, { type: 'item' }, { content: 'x' }])(
		'%p is not',
		(value) => {
			expect(isTurnEvent(value)).toBe(false);
		},
	);
});

describe('sseFrame', () => {
	test('exactly `data: <compact JSON>` and a blank line, turn id filled in', () => {
		expect(sseFrame({ type: 'response.tts', content: 'Hello there.' }, 'turn_1')).toBe(
			'data: {"type":"response.tts","content":"Hello there.","turn_id":"turn_1"}\n\n',
		);
		expect(sseFrame({ type: 'response.end' }, 'turn_1')).toBe('data: {"type":"response.end","turn_id":"turn_1"}\n\n');
		expect(sseFrame({ type: 'response.error', error: 'boom' }, 'turn_1')).toBe(
			'data: {"type":"response.error","error":"boom","turn_id":"turn_1"}\n\n',
		);
	});

	test('response.data carries any JSON, compact', () => {
		const frame = sseFrame({ type: 'response.data', content: { order: { id: 48152, items: [1, 2] } } }, 't');
		expect(frame).toBe('data: {"type":"response.data","content":{"order":{"id":48152,"items":[1,2]}},"turn_id":"t"}\n\n');
	});

	test('newlines in the text never break the frame', () => {
		const frame = sseFrame({ type: 'response.tts', content: 'line one\nline two\r\n\n' }, 't');
		expect(frame.split('\n')).toHaveLength(3); // the data line, then the blank line
		expect(frame.endsWith('\n\n')).toBe(true);
		expect(JSON.parse(frame.slice('data: '.length))).toEqual({
			type: 'response.tts',
			content: 'line one\nline two\r\n\n',
			turn_id: 't',
		});
		expect(frame).not.toContain('\r');
	});

	test("the request's turn id replaces the event's own", () => {
		expect(sseFrame({ type: 'response.end', turn_id: 'other' }, 'mine')).toBe(
			'data: {"type":"response.end","turn_id":"mine"}\n\n',
		);
	});

	test("no request turn id: the event's own is kept, else turn_id is left out (as Layercode's SDK does), never null", () => {
		expect(sseFrame({ type: 'response.end', turn_id: 'own' }, null)).toBe('data: {"type":"response.end","turn_id":"own"}\n\n');
		expect(sseFrame({ type: 'response.end' }, null)).toBe('data: {"type":"response.end"}\n\n');
		expect(sseFrame({ type: 'response.tts', content: 'Hi.', turn_id: null }, null)).toBe('data: {"type":"response.tts","content":"Hi."}\n\n');
		expect(sseFrame({ type: 'response.error', error: 'boom', turn_id: undefined }, null)).toBe('data: {"type":"response.error","error":"boom"}\n\n');
	});

	test('the turn id stays the last key, after the event own keys', () => {
		expect(sseFrame({ turn_id: 'own', type: 'response.tts', content: 'x' }, 'mine')).toBe(
			'data: {"type":"response.tts","content":"x","turn_id":"mine"}\n\n',
		);
	});
});
