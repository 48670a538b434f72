/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/nodeRealmEnvironment.js',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 60000,
};
