/**
 * The `svix` package as the reference implementation of Standard Webhooks / Svix.
 * svix 2.x ships ES modules only, which Jest (CommonJS, Node < 24.9) cannot load, so a batch
 * of operations runs in one child Node process with the real package.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface SvixSignRequest {
	secret: string;
	id: string;
	/** Unix seconds. */
	timestamp: number;
	body: string;
}

export interface SvixVerifyRequest {
	secret: string;
	body: string;
	headers: Record<string, string>;
}

export type SvixVerdict = { ok: true } | { ok: false; error: string };

type Operation = { sign: SvixSignRequest } | { verify: SvixVerifyRequest };

const SCRIPT = `
import { Webhook } from 'svix';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
	const results = JSON.parse(input).map((op) => {
		if (op.sign) {
			const { secret, id, timestamp, body } = op.sign;
			return new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
		}
		const { secret, body, headers } = op.verify;
		try {
			new Webhook(secret).verify(body, headers);
			return { ok: true };
		} catch (error) {
			return { ok: false, error: String(error && error.message) };
		}
	});
	process.stdout.write(JSON.stringify(results));
});
`;

function run(operations: Operation[]): unknown[] {
	const child = spawnSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', SCRIPT], {
		cwd: REPO_ROOT,
		input: JSON.stringify(operations),
		encoding: 'utf8',
		timeout: 20_000,
		maxBuffer: 64 * 1024 * 1024,
	});
	if (child.status !== 0) {
		throw new Error(`the svix reference process failed (${child.status}): ${child.stderr || child.error}`);
	}
	return JSON.parse(child.stdout) as unknown[];
}

/** `new Webhook(secret).sign(id, date, body)` for each request: `v1,<base64>`. */
export function svixSign(requests: SvixSignRequest[]): string[] {
	return run(requests.map((sign) => ({ sign }))) as string[];
}

/** `new Webhook(secret).verify(body, headers)` for each request (svix checks against the real clock). */
export function svixVerify(requests: SvixVerifyRequest[]): SvixVerdict[] {
	return run(requests.map((verify) => ({ verify }))) as SvixVerdict[];
}
