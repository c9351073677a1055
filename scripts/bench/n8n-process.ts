// What the benchmarks read about the n8n under test: its process's CPU time (Linux /proc), the
// other n8n processes sharing the cores, its version and its expression-engine counters.
import { readdirSync, readFileSync } from 'node:fs';

import type { N8n } from '../../test/e2e/harness';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** The `n8n start` process listening on this port: its environment says N8N_PORT=<port>. */
export function findN8nPid(port: number): number | null {
	try {
		for (const entry of readdirSync('/proc')) {
			if (!/^\d+$/.test(entry)) continue;
			try {
				const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
				if (!cmdline.some((arg) => arg.endsWith('/n8n')) || !cmdline.includes('start')) continue;
				const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
				if (environ.includes(`N8N_PORT=${port}`)) return Number(entry);
			} catch {
				// the process ended, or is not ours to read
			}
		}
	} catch {
		// no /proc
	}
	return null;
}

/** The process's CPU time so far (user + system), ms at clock-tick resolution; null where unreadable. */
export function cpuMs(pid: number | null): number | null {
	if (pid === null) return null;
	try {
		// Fields after the command name (which may contain spaces): utime and stime are 14 and 15.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
	} catch {
		return null;
	}
}

/** Other n8n servers and workers on this machine (other engineers' tests), which share the cores. */
export function otherN8nProcesses(ownPid: number | null): number {
	let found = 0;
	try {
		for (const entry of readdirSync('/proc')) {
			if (!/^\d+$/.test(entry) || Number(entry) === ownPid) continue;
			try {
				const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
				if (cmdline.some((arg) => arg.endsWith('/n8n')) && (cmdline.includes('start') || cmdline.includes('worker'))) found++;
			} catch {
				// gone
			}
		}
	} catch {
		// no /proc
	}
	return found;
}

/**
 * Waits until the process has used less than `quietMs` of CPU over `windowMs` (the executions a
 * round started have finished), at most `timeoutMs`; resolves to its CPU time then.
 */
export async function cpuWhenIdle(pid: number | null, { windowMs = 500, quietMs = 20, timeoutMs = 15_000 } = {}): Promise<number | null> {
	const deadline = Date.now() + timeoutMs;
	let before = cpuMs(pid);
	while (before !== null) {
		await new Promise((done) => setTimeout(done, windowMs));
		const now = cpuMs(pid);
		if (now === null || now - before < quietMs || Date.now() > deadline) return now;
		before = now;
	}
	return null;
}

/** n8n's Prometheus counters (N8N_METRICS=true) of its expression engine: isolates acquired, expressions evaluated in one. */
export async function isolateCounters(n8n: N8n): Promise<{ acquired: number; evaluated: number }> {
	const text = await (await fetch(`${n8n.baseUrl}/metrics`)).text();
	const sum = (name: string) =>
		[...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((total, match) => total + Number(match[1]), 0);
	return { acquired: sum('n8n_expression_pool_acquired_total'), evaluated: sum('n8n_expression_evaluation_duration_seconds_count') };
}

export async function n8nVersion(n8n: N8n): Promise<string> {
	try {
		const response = await fetch(`${n8n.baseUrl}/rest/settings`);
		const settings = (await response.json()) as { data?: { versionCli?: string } };
		if (settings.data?.versionCli) return settings.data.versionCli;
	} catch {
		// fall back to the log
	}
	return /Version:\s*(\S+)/.exec(n8n.log())?.[1] ?? 'unknown';
}
