/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  // swc transpiles TypeScript (ts-jest does not support TypeScript 7) and the ESM-only packages
  // (uuid, inversify), which jest's CommonJS runtime cannot require as they are.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(uuid|inversify|@inversifyjs)/)'],
  testTimeout: 30000,
  maxWorkers: 2,
};
