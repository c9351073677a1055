/**
 * Reliability and security scenarios against a real n8n (test/reliability): load, hostile input,
 * stream faults, restart, queue mode with a worker crash. One n8n per file, run one file at a time
 * (the figures are timings on a shared machine). At the end the reporter prints one table of
 * figures and writes it to .bench/reliability-latest.md.
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/reliability'],
	testMatch: ['**/*.reliability.ts'],
	// A scenario sends thousands of requests; starting n8n (queue mode: Redis, PostgreSQL, main and worker) takes up to a few minutes.
	testTimeout: 600000,
	maxWorkers: 1,
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
	reporters: ['default', '<rootDir>/test/reliability/table-reporter.js'],
};
