/** End-to-end: the real viewer, PACS and browser. Run by `npm run test:e2e` (after `npm run build`). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/nodeRealmEnvironment.js',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // A hang guard, not a speed target: the longest test took 210 s on a 2-core AVX2 machine.
  testTimeout: 600000,
  maxWorkers: 1,
};
