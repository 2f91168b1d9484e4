// The fault suite (`npm run test:faults`): kills and restarts processes, PostgreSQL and
// NATS under load, and fuzzes every route. Not part of `npm test`: it runs on its own,
// one file at a time, against the built apps.
import { jestProject } from '../jest.preset.js';

const project = jestProject('faults', 'faults');

export default {
  ...project,
  testMatch: ['<rootDir>/**/*.fault-spec.ts'],
  // Each file boots a whole system and drives it through outages.
  testTimeout: 120_000,
};
