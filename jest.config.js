// Two projects: fast unit tests next to the code, and end-to-end tests that
// load real BPF programs and send real packets between network namespaces.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@retis/([a-z-]+)$': '<rootDir>/packages/$1/src' },
  testEnvironment: 'node',
  // Only where tests live: the VM cache (kernel modules) and node_modules
  // stay out of the crawl, which matters on the VM's slow 9p filesystem.
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  modulePathIgnorePatterns: ['<rootDir>/test/vm/.cache', '<rootDir>/packages/[^/]+/lib/'],
  testPathIgnorePatterns: ['/node_modules/', '/lib/', '<rootDir>/test/vm/'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
