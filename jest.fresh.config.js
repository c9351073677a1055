/**
 * What a newcomer meets first, against the real cache and a real n8n: provisioning that repairs a
 * broken cache, and `npm run demo` started, used and stopped as the README says.
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/fresh-machine'],
	testMatch: ['**/*.fresh.ts'],
	// A repair rebuilds n8n's native modules (minutes); the demo builds, starts n8n and its helpers.
	testTimeout: 900000,
	maxWorkers: 1,
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
};
