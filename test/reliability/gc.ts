// Forces a full garbage collection in a running n8n process through its inspector (Chrome
// DevTools Protocol: HeapProfiler.collectGarbage), so that memory is measured after garbage is
// gone rather than whenever V8 gets round to it; reads the process's own process.memoryUsage()
// (Runtime.evaluate) to tell V8's heap from the rest of RSS; takes heap snapshots for diagnosis.
// n8n runs with --inspect=127.0.0.1:<port> for that; the client runs on n8n's own Node 24
// binary, which has a global WebSocket.
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

// Actions (argv): gc:<rounds> | memory | snapshot:<file>. Prints one JSON object: { memory }.
const CLIENT = `
const fs = require('node:fs');
const [port, ...actions] = process.argv.slice(1);
(async () => {
	const [target] = await (await fetch('http://127.0.0.1:' + port + '/json/list')).json();
	const ws = new WebSocket(target.webSocketDebuggerUrl);
	let id = 0;
	let chunkFile;
	ws.addEventListener('message', (event) => {
		const message = JSON.parse(event.data);
		if (message.method === 'HeapProfiler.addHeapSnapshotChunk' && chunkFile !== undefined) fs.writeSync(chunkFile, message.params.chunk);
	});
	const call = (method, params = {}) => new Promise((done, fail) => {
		const mine = ++id;
		const onMessage = (event) => {
			const message = JSON.parse(event.data);
			if (message.id !== mine) return;
			ws.removeEventListener('message', onMessage);
			message.error ? fail(new Error(message.error.message)) : done(message.result);
		};
		ws.addEventListener('message', onMessage);
		ws.send(JSON.stringify({ id: mine, method, params }));
	});
	await new Promise((done, fail) => { ws.onopen = done; ws.onerror = () => fail(new Error('inspector connection failed')); });
	const out = {};
	for (const action of actions) {
		const [name, arg] = action.split(/:(.*)/s);
		if (name === 'gc') for (let i = 0; i < Number(arg); i++) await call('HeapProfiler.collectGarbage');
		if (name === 'memory') {
			const { result } = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
			out.memory = JSON.parse(result.value);
		}
		if (name === 'snapshot') {
			chunkFile = fs.openSync(arg, 'w');
			await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
			fs.closeSync(chunkFile);
			chunkFile = undefined;
		}
	}
	ws.close();
	process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error.message); process.exit(1); });
`;

/** process.memoryUsage() of the inspected process, in bytes. */
export interface MemoryUsage {
	rss: number;
	heapTotal: number;
	heapUsed: number;
	external: number;
	arrayBuffers: number;
}

async function inspect(pid: number, inspectorPort: number, actions: string[], timeoutMs = 60_000): Promise<{ memory?: MemoryUsage }> {
	const node = readlinkSync(`/proc/${pid}/exe`);
	const { stdout } = await execFileAsync(node, ['-e', CLIENT, String(inspectorPort), ...actions], { timeout: timeoutMs, maxBuffer: 1 << 20 });
	return JSON.parse(stdout || '{}') as { memory?: MemoryUsage };
}

/**
 * Collects garbage in the process listening with its inspector on `inspectorPort`; `pid` is any
 * n8n process (its executable, Node 24, runs the client).
 */
export async function collectGarbage(pid: number, inspectorPort: number, rounds = 2): Promise<void> {
	await inspect(pid, inspectorPort, [`gc:${rounds}`]);
}

/** Collects garbage, then reads the process's process.memoryUsage(). */
export async function memoryAfterGarbageCollection(pid: number, inspectorPort: number, rounds = 2): Promise<MemoryUsage> {
	const { memory } = await inspect(pid, inspectorPort, [`gc:${rounds}`, 'memory']);
	if (!memory) throw new Error('the inspector did not report process.memoryUsage()');
	return memory;
}

/**
 * Writes a heap snapshot of the process to `file` (diagnosis: a snapshot includes a full GC).
 * Not before an RSS measurement: building the snapshot mallocs hundreds of MiB that glibc keeps
 * (n8n's VmRSS after GC went from 538 to 1004 MiB over one snapshot and 300 turns, 491 without).
 */
export async function takeHeapSnapshot(pid: number, inspectorPort: number, file: string): Promise<void> {
	await inspect(pid, inspectorPort, [`snapshot:${file}`], 300_000);
}
