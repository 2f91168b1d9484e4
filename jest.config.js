// `npm test` runs every project's unit, integration and end-to-end tests in one run.
export default {
  // Integration and end-to-end tests start real processes: give them time (a project
  // config cannot set this; it is global).
  testTimeout: 30_000,
  projects: [
    '<rootDir>/libs/contracts',
    '<rootDir>/libs/platform',
    '<rootDir>/libs/sdk',
    '<rootDir>/apps/identity',
    '<rootDir>/apps/social',
    '<rootDir>/apps/catalog',
    '<rootDir>/apps/playlists',
    '<rootDir>/apps/stages',
    '<rootDir>/apps/gateway',
    '<rootDir>/e2e',
  ],
};
