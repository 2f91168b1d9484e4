// Shared Jest settings: TypeScript through SWC (decorators + metadata), native ESM,
// workspace libraries resolved to their sources so tests never need a prior build.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

/** @param {string} dir the project's folder, relative to the workspace root */
export function jestProject(dir, displayName) {
  return {
    displayName,
    rootDir: path.join(root, dir),
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.int-spec.ts', '<rootDir>/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    moduleNameMapper: {
      '^@octave/contracts$': path.join(root, 'libs/contracts/src/index.ts'),
      '^@octave/sdk$': path.join(root, 'libs/sdk/src/index.ts'),
      '^@octave/platform/(.*)$': path.join(root, 'libs/platform/src/$1/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            target: 'es2023',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            keepClassNames: true,
          },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
  };
}
