// Lint for the whole workspace: `npm run lint` (eslint .) or `npx nx lint <project>`.
// Module boundaries come from the tags in each project.json; see docs/adr/0001-stack.md.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import { defineConfig } from 'eslint/config';
import { createProjectGraphAsync } from 'nx/src/devkit-exports.js';
import tseslint from 'typescript-eslint';

// @nx/enforce-module-boundaries reads the project graph that Nx caches in .nx/, and
// silently skips itself when there is none (a fresh clone, plain `eslint .`), or judges
// with a stale one (a project or import added since the last nx command). Compute it
// now so every ESLint run, from Nx, npm or an editor, checks against the current graph.
await createProjectGraphAsync({ exitOnError: false });

/** Services that own data; each may use its own projects and the shared libraries. */
const services = ['identity', 'social', 'catalog', 'playlists', 'stages'];

/**
 * Node's globals for plain .js files (tools, configs). TypeScript files need none:
 * the compiler checks names there and typescript-eslint turns `no-undef` off.
 */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal',
    'fetch', 'Request', 'Response', 'Headers', 'FormData', 'Blob', 'TextEncoder', 'TextDecoder',
    'structuredClone', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval',
    'clearInterval', 'setImmediate', 'clearImmediate', 'performance', 'crypto',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: [
      '**/dist/',
      '**/node_modules/',
      '**/coverage/',
      '.data/',
      '.nx/',
      'tmp/',
      'artifacts/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Project code is TypeScript. The .js files are configs and tools, and the per-project
    // jest.config.js files import the workspace's jest.preset.js by relative path on purpose.
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // Shared libraries never reach into a service or the gateway.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // A service: itself and the shared libraries, never another service.
            ...services.map((svc) => ({
              sourceTag: `scope:${svc}`,
              onlyDependOnLibsWithTags: [`scope:${svc}`, 'scope:shared'],
            })),
            // The gateway knows services only through libs/contracts.
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared'] },
            // End-to-end tests talk HTTP and Socket.IO; they may use shared types and harnesses.
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Contracts are the public surface: they depend on no other project.
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:contracts'] },
            // The SDK is what clients get: the API's types, never the server's code.
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:contracts'] },
            // The web app is a client like any other: it reaches Octave through the SDK only.
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['type:sdk', 'type:contracts'] },
          ],
        },
      ],
    },
  },
  {
    // Services log through pino (structured, with correlation ids), never the console.
    // tools/, bench/ and e2e/ are scripts and tests, where the console is fine.
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx', 'libs/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
