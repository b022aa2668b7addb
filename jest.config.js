/** Jest projects: fast unit tests, the real ASL on aws-local-stepfunctions, template contracts, local emulators, and the console in Chromium. */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
// .aws-sam/ (sam build) holds copies of package.json files (a layer's), which jest's module map would see twice.
const common = { testEnvironment: 'node', transform, setupFiles: ['<rootDir>/tests/support/env.ts'], modulePathIgnorePatterns: ['<rootDir>/.aws-sam/'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...common, displayName: 'statemachine', testMatch: ['<rootDir>/tests/statemachine/**/*.test.ts'] },
    { ...common, displayName: 'contract', testMatch: ['<rootDir>/tests/contract/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/tests/browser/**/*.test.ts'] },
  ],
};
