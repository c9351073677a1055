import { EventEmitter } from 'node:events';

import type { IWebhookFunctions } from 'n8n-workflow';

import { answerWhenWorkflowEnds, WORKFLOW_FAILED } from '../../../../nodes/VoiceAgentTrigger/answers';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Enough of express's Response for the ways n8n answers a lastNode webhook (json → send → end, pipe → write/end). */
class FakeResponse extends EventEmitter {
	statusCode = 200;
	headersSent = false;
	headers: Record<string, string> = {};
	written: string[] = [];
	ended = 0;
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	setHeader(name: string, value: string) {
		this.headers[name.toLowerCase()] = value;
	}
	removeHeader(name: string) {
		delete this.headers[name.toLowerCase()];
	}
	json(body: unknown) {
		this.setHeader('Content-Type', 'application/json');
		return this.send(JSON.stringify(body));
	}
	send(body: string) {
		this.setHeader('Content-Length', String(Buffer.byteLength(body)));
		this.setHeader('ETag', 'W/"n8n"');
		return this.end(body);
	}
	write(chunk: string, _callback?: () => void) {
		this.written.push(chunk);
		return true;
	}
	end(chunk?: string) {
		if (chunk !== undefined) this.written.push(chunk);
		this.headersSent = true;
		this.ended++;
		return this;
	}
}

function settleWith(answerAs: (res: FakeResponse) => void) {
	const res = new FakeResponse();
	const outcomes: boolean[] = [];
	answerWhenWorkflowEnds(res as unknown as Response, (succeeded) => outcomes.push(succeeded));
	answerAs(res);
	return { res, outcomes, body: JSON.parse(res.written.join('')) as unknown };
}

describe('answerWhenWorkflowEnds', () => {
	test("n8n's success (the last node's items, 200) becomes {status: accepted}; the outcome is success", () => {
		const { res, outcomes, body } = settleWith((r) => r.status(200).json([{ crm: 'contact', secret: 'from-a-node' }]));
		expect(outcomes).toEqual([true]);
		expect(res.statusCode).toBe(200);
		expect(body).toEqual({ status: 'accepted' });
		expect(res.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(body))));
		expect(res.ended).toBe(1);
	});

	test.each([
		['Error in workflow (500)', (r: FakeResponse) => r.status(500).json({ message: 'Error in workflow' })],
		['an error page naming a node and its message', (r: FakeResponse) => r.status(500).json({ code: 0, message: 'Bearer pk_live_123 rejected', stack: 'at …' })],
		['a 404 from n8n', (r: FakeResponse) => r.status(404).json({ message: 'not found' })],
		['a plain-text error', (r: FakeResponse) => r.status(503).send('busy')],
	])('%s becomes 500 WORKFLOW_FAILED; the outcome is failure and nothing of n8n\'s body is sent', (_name, answerAs) => {
		const { res, outcomes, body } = settleWith(answerAs);
		expect(outcomes).toEqual([false]);
		expect(res.statusCode).toBe(500);
		expect(body).toEqual(WORKFLOW_FAILED);
		expect(res.written.join('')).not.toMatch(/pk_live|Error in workflow|busy|stack/);
	});

	test('a streamed answer (write… then end) is held and replaced; settles once', () => {
		const res = new FakeResponse();
		const outcomes: boolean[] = [];
		answerWhenWorkflowEnds(res as unknown as Response, (succeeded) => outcomes.push(succeeded));
		const callback = jest.fn();
		expect(res.write('chunk-1', callback)).toBe(true);
		expect(callback).toHaveBeenCalled();
		res.status(200).end();
		res.end(); // n8n's process.nextTick(() => res.end()) after a piped stream
		expect(outcomes).toEqual([true]);
		expect(res.written.join('')).toBe(JSON.stringify({ status: 'accepted' }));
		expect(res.ended).toBe(2);
	});
});
