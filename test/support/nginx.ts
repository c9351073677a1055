// The load balancer of the scaled topology: Debian's nginx running the shipped example
// configuration (docs/deployment/nginx.conf) with the harness's loopback ports substituted, as
// the current user, in its own temp prefix (pid, logs, temp folders): no system service.
// The harness (test/e2e/harness.ts) spawns and stops the process; this file writes the config.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SHIPPED_PATH = join('docs', 'deployment', 'nginx.conf');

/** The checkout's shipped file, found upwards: compiled copies (the benchmarks run from .build/) sit deeper. */
function findShipped(from: string): string {
	for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
		if (existsSync(join(dir, SHIPPED_PATH))) return join(dir, SHIPPED_PATH);
	}
	throw new Error(`${SHIPPED_PATH} not found above ${from}`);
}

export const SHIPPED_NGINX_CONF = findShipped(__dirname);

/** `hash`: the shipped rule (copies of one delivery to one webhook process); `roundRobin`: the same file without it. */
export type Routing = 'hash' | 'roundRobin';

export interface NginxPorts {
	/** Where nginx listens (on 127.0.0.1). */
	listen: number;
	main: number;
	/** The webhook processes, in the order of the shipped file's `server` lines (5680, 5681). */
	webhooks: [number, number];
	/** A second listener answering GET /routing with the routing in force: tells when a reload is live. */
	control: number;
}

/** The addresses the shipped file uses, each replaced exactly once (more than once for none). */
const SHIPPED = { main: 'server 127.0.0.1:5678;', webhooks: ['server 127.0.0.1:5680;', 'server 127.0.0.1:5681;'], listen: /^(\s*)listen 80;$/m, hash: /^\s*hash \$voice_agent_route_key consistent;\n/m };

function replaceOnce(text: string, from: string | RegExp, to: string, what: string): string {
	const count = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, `${from.flags}g`)) ?? []).length;
	if (count !== 1) throw new Error(`${SHIPPED_NGINX_CONF}: expected ${what} exactly once, found it ${count} times (the harness substitutes it)`);
	return text.replace(from, to);
}

/** The shipped `http {}` include with the harness's ports, and without the hash rule for `roundRobin`. */
export function renderShippedConfig(shipped: string, ports: NginxPorts, routing: Routing): string {
	let text = replaceOnce(shipped, SHIPPED.main, `server 127.0.0.1:${ports.main};`, `"${SHIPPED.main}"`);
	SHIPPED.webhooks.forEach((line, index) => {
		text = replaceOnce(text, line, `server 127.0.0.1:${ports.webhooks[index]};`, `"${line}"`);
	});
	text = replaceOnce(text, SHIPPED.listen, `$1listen 127.0.0.1:${ports.listen};`, '"listen 80;"');
	const withoutHash = replaceOnce(text, SHIPPED.hash, '', 'the hash rule');
	return routing === 'roundRobin' ? withoutHash : text;
}

/** One line per proxied request: `<svix-id or -> <upstream address(es)> <status> <uri>`. */
export const ACCESS_LOG_FORMAT = `'$http_svix_id $upstream_addr $status $request_uri'`;

/**
 * The main nginx.conf: the process-level settings a private instance needs (its own pid file,
 * logs and temp folders under `prefix`, in the foreground so the harness owns the PID), then the
 * rendered shipped file. As root nginx would hand requests to workers running as `nobody`, who
 * cannot write into a private temp folder: the workers stay root then ("as the current user").
 */
export function mainConfig(prefix: string, ports: NginxPorts, routing: Routing, runningAsRoot: boolean): string {
	return [
		'daemon off;',
		'master_process on;',
		'worker_processes 1;',
		...(runningAsRoot ? ['user root root;'] : []),
		`pid ${join(prefix, 'nginx.pid')};`,
		`error_log ${join(prefix, 'error.log')} warn;`,
		'events { worker_connections 1024; }',
		'http {',
		`    log_format voice_agent ${ACCESS_LOG_FORMAT};`,
		`    access_log ${join(prefix, 'access.log')} voice_agent;`,
		...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${join(prefix, `${kind}_temp`)};`),
		`    include ${join(prefix, 'voice-agent.conf')};`,
		`    server { listen 127.0.0.1:${ports.control}; location = /routing { return 200 "${routing}"; } }`,
		'}',
		'',
	].join('\n');
}

export function readShippedConfig(): string {
	return readFileSync(SHIPPED_NGINX_CONF, 'utf8');
}

export interface AccessEntry {
	deliveryId: string | null;
	/** The webhook process(es) nginx tried, in order (`127.0.0.1:5680, 127.0.0.1:5681` after a refused connection). */
	upstreams: string[];
	status: number;
	uri: string;
}

export function parseAccessLog(text: string): AccessEntry[] {
	return text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => {
			// The upstream field may hold "a, b" (a retry) or "a : b" (an internal redirect).
			const match = /^(\S+) (.+) (\d{3}) (\S+)$/.exec(line);
			if (!match) return { deliveryId: null, upstreams: [], status: 0, uri: line };
			const [, id, upstreams, status, uri] = match;
			return { deliveryId: id === '-' ? null : id, upstreams: upstreams.split(/\s*[,:]\s+/).filter((part) => part !== '-'), status: Number(status), uri };
		});
}
