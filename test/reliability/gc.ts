// Forces a full garbage collection in a running n8n process through its inspector (Chrome
// DevTools Protocol: HeapProfiler.collectGarbage), so that memory is measured after garbage is
// gone rather than whenever V8 gets round to it. n8n runs with --inspect=127.0.0.1:<port> for
// that; the client runs on n8n's own Node 24 binary, which has a global WebSocket.
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A free loopback port for the inspector. */
export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const { port } = server.address() as AddressInfo;
	await new Promise((done) => server.close(done));
	return port;
}

const CLIENT = `
const port = process.argv[1];
const rounds = Number(process.argv[2]);
(async () => {
	const [target] = await (await fetch('http://127.0.0.1:' + port + '/json/list')).json();
	const ws = new WebSocket(target.webSocketDebuggerUrl);
	let id = 0;
	const call = (method) => new Promise((done, fail) => {
		const mine = ++id;
		const onMessage = (event) => {
			const message = JSON.parse(event.data);
			if (message.id !== mine) return;
			ws.removeEventListener('message', onMessage);
			message.error ? fail(new Error(message.error.message)) : done(message.result);
		};
		ws.addEventListener('message', onMessage);
		ws.send(JSON.stringify({ id: mine, method }));
	});
	await new Promise((done, fail) => { ws.onopen = done; ws.onerror = () => fail(new Error('inspector connection failed')); });
	for (let i = 0; i < rounds; i++) await call('HeapProfiler.collectGarbage');
	ws.close();
})().catch((error) => { console.error(error.message); process.exit(1); });
`;

/**
 * Collects garbage in the process listening with its inspector on `inspectorPort`; `pid` is any
 * n8n process (its executable, Node 24, runs the client).
 */
export async function collectGarbage(pid: number, inspectorPort: number, rounds = 2): Promise<void> {
	const node = readlinkSync(`/proc/${pid}/exe`);
	await execFileAsync(node, ['-e', CLIENT, String(inspectorPort), String(rounds)], { timeout: 60_000 });
}
