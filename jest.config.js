// `npm test` runs every project's unit, integration and end-to-end tests in one run.
export default {
  projects: [
    '<rootDir>/libs/contracts',
    '<rootDir>/libs/platform',
    '<rootDir>/apps/identity',
    '<rootDir>/apps/gateway',
    '<rootDir>/e2e',
  ],
};
