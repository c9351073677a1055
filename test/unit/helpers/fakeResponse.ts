import { EventEmitter } from 'node:events';

/**
 * express's Response as far as the trigger uses it: answer() and answerBeforeStreaming() (json),
 * the SSE turn stream and the JSON data reply (writeHead, write, end, events). It records what
 * was sent: the status, the headers (lower-cased names), the JSON body and every written chunk.
 */
export class FakeResponse extends EventEmitter {
	statusCode = 200;
	headers: Record<string, string> = {};
	written: string[] = [];
	body: unknown;
	destroyed = false;
	writableEnded = false;
	status(code: number) {
		this.statusCode = code;
		return this;
	}
	json(body: unknown) {
		this.body = body;
		this.writableEnded = true;
		return this;
	}
	setHeader(name: string, value: string) {
		this.headers[name.toLowerCase()] = value;
	}
	writeHead(status: number, headers: Record<string, string> = {}) {
		this.statusCode = status;
		Object.entries(headers).forEach(([name, value]) => this.setHeader(name, value));
		return this;
	}
	flushHeaders() {}
	write(chunk: unknown) {
		this.written.push(String(chunk));
		return true;
	}
	end(chunk?: unknown) {
		if (typeof chunk === 'string') this.written.push(chunk);
		this.writableEnded = true;
		return this;
	}
}
