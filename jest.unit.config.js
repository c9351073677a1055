/**
 * Unit tests: fast, no n8n, no network beyond loopback. They live in test/unit/, mirroring nodes/
 * and credentials/: n8n's scanner lints everything under those two folders as shipped code.
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/unit'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
};
