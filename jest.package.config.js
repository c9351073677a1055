/** What the package ships (dist/, package.json): run after `npm run build` (`npm run test:package` builds first). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/package'],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
};
