import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { mainConfig, parseAccessLog, readShippedConfig, renderShippedConfig, type NginxPorts } from '../../support/nginx';

const PORTS: NginxPorts = { listen: 18080, main: 18678, webhooks: [18680, 18681], control: 18090 };
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));

describe('the shipped nginx configuration (docs/deployment/nginx.conf) as the harness runs it', () => {
	const shipped = readShippedConfig();

	it('routes /webhook/ by a consistent hash of svix-id, else webhook-id, else the request id', () => {
		expect(shipped).toMatch(/map \$http_svix_id \$voice_agent_delivery_id \{\s*""\s+\$http_webhook_id;\s*default \$http_svix_id;/);
		expect(shipped).toMatch(/map \$voice_agent_delivery_id \$voice_agent_route_key \{\s*""\s+\$request_id;\s*default \$voice_agent_delivery_id;/);
		expect(shipped).toMatch(/upstream n8n_webhook_processes \{[^}]*hash \$voice_agent_route_key consistent;/);
	});

	it('streams: no buffering, HTTP/1.1 to n8n, a long read timeout', () => {
		for (const directive of ['proxy_buffering off;', 'proxy_http_version 1.1;', 'proxy_read_timeout 3600s;', 'gzip off;']) {
			expect(shipped).toContain(directive);
		}
	});

	it('substitutes every address and the listen port, keeping the hash rule for "hash"', () => {
		const text = renderShippedConfig(shipped, PORTS, 'hash');
		expect(text).toContain('server 127.0.0.1:18678;');
		expect(text).toContain('server 127.0.0.1:18680;');
		expect(text).toContain('server 127.0.0.1:18681;');
		expect(text).toContain('listen 127.0.0.1:18080;');
		expect(text).not.toMatch(/server 127\.0\.0\.1:56(78|80|81);|listen 80;/);
		expect(text).toContain('hash $voice_agent_route_key consistent;');
	});

	it('drops only the hash rule for "roundRobin"', () => {
		const hashed = renderShippedConfig(shipped, PORTS, 'hash');
		const roundRobin = renderShippedConfig(shipped, PORTS, 'roundRobin');
		expect(roundRobin).not.toContain('hash $voice_agent_route_key');
		expect(hashed.split('\n').filter((line) => !line.includes('hash $voice_agent_route_key'))).toEqual(roundRobin.split('\n'));
	});

	it('refuses a shipped file whose addresses changed shape, instead of testing something else', () => {
		expect(() => renderShippedConfig(shipped.replace('server 127.0.0.1:5681;', 'server 10.0.0.2:5681;'), PORTS, 'hash')).toThrow(/127\.0\.0\.1:5681;" exactly once, found it 0 times/);
		expect(() => renderShippedConfig(shipped.replace('server 127.0.0.1:5678;', 'server 127.0.0.1:5678;\n    server 127.0.0.1:5678;'), PORTS, 'hash')).toThrow(/found it 2 times/);
		expect(() => renderShippedConfig(shipped.replace(/^\s*hash .*$/m, ''), PORTS, 'roundRobin')).toThrow(/the hash rule/);
	});

	(NGINX ? it : it.skip)('is a configuration nginx accepts (nginx -t), both routings', () => {
		for (const routing of ['hash', 'roundRobin'] as const) {
			const prefix = mkdtempSync(join(tmpdir(), 'voice-agent-nginx-test-'));
			try {
				writeFileSync(join(prefix, 'voice-agent.conf'), renderShippedConfig(shipped, PORTS, routing));
				writeFileSync(join(prefix, 'nginx.conf'), mainConfig(prefix, PORTS, routing, process.getuid?.() === 0));
				const out = execFileSync(NGINX as string, ['-t', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
				expect(out).toBe('');
			} finally {
				rmSync(prefix, { recursive: true, force: true });
			}
		}
	});
});

describe('parseAccessLog', () => {
	it('reads the delivery id, the upstream(s) tried, the status and the URI', () => {
		const log = ['msg_1 127.0.0.1:18680 200 /webhook/a', '- 127.0.0.1:18681 200 /webhook/b', 'msg_2 127.0.0.1:18680, 127.0.0.1:18681 502 /webhook/a', ''].join('\n');
		expect(parseAccessLog(log)).toEqual([
			{ deliveryId: 'msg_1', upstreams: ['127.0.0.1:18680'], status: 200, uri: '/webhook/a' },
			{ deliveryId: null, upstreams: ['127.0.0.1:18681'], status: 200, uri: '/webhook/b' },
			{ deliveryId: 'msg_2', upstreams: ['127.0.0.1:18680', '127.0.0.1:18681'], status: 502, uri: '/webhook/a' },
		]);
	});

	it('keeps a line it cannot read, with status 0', () => {
		expect(parseAccessLog('garbage')).toEqual([{ deliveryId: null, upstreams: [], status: 0, uri: 'garbage' }]);
	});
});
