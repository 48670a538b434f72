/** End-to-end: the real viewer, PACS and browser. Run by `npm run test:e2e` (after `npm run build`). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/nodeRealmEnvironment.js',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 300000,
  maxWorkers: 1,
};
