// ESLint for every workspace (`npm run lint`, part of `npm test`; zero warnings allowed). The plugins
// come from the lint workspace (lint/plugins.mjs says why). Formatting is Prettier's job
// (.prettierrc.json): eslint-config-prettier turns off the rules that would fight it.
// Untyped rules only: type-aware linting would build a TypeScript program per workspace, too slow for
// a two-core machine; `npm run typecheck` does the type checking.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createNodeResolver,
  eslintComments,
  globals,
  importX,
  js,
  nextPlugin,
  prettierConfig,
  reactHooks,
  tseslint,
} from './lint/plugins.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));

/** The services: workspaces with src/app.ts (common, the storefront and the lint tools have none). */
const services = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces.filter((w) =>
  fs.existsSync(path.join(root, w, 'src', 'app.ts')),
);

/** Test code: it may use the test helpers, jest and fast-check; nothing else may. */
const TEST_FILES = [
  '**/__tests__/**',
  '**/*.test.ts',
  '**/*.test.tsx',
  'common/src/testing/**',
  'e2e/**',
  'client/e2e/**',
  'bench/**',
  'infra/tests/**',
];

/** What shipped code may not import: test helpers and test libraries (they are not in production images). */
const TEST_ONLY_IMPORTS = [
  { name: '@jetmart/common/testing', message: 'Test helpers are for tests only: production code may not import @jetmart/common/testing.' },
  { name: 'fast-check', message: 'fast-check is a test library: import it only from tests.' },
  { name: 'jest', message: 'jest is a test library: import it only from tests.' },
  { name: '@jest/globals', message: 'jest is a test library: import it only from tests.' },
];
const TEST_ONLY_PATTERNS = [
  { group: ['**/__tests__', '**/__tests__/**'], message: 'Test code lives in __tests__/: production code may not import it.' },
];

/** The HTTP errors of @jetmart/common (common/src/errors): only routes decide status codes. */
const HTTP_ERRORS = [
  'CustomError',
  'BadRequestError',
  'RequestValidationError',
  'NotAuthorizedError',
  'PaymentDeclinedError',
  'ForbiddenError',
  'NotFoundError',
  'ConflictError',
  'PayloadTooLargeError',
  'TooManyRequestsError',
  'ServiceUnavailableError',
];

/** `@/x` in the storefront is client/src/x (client/tsconfig.json paths), so import cycles through it are seen. */
const nodeResolver = createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] });
const clientAlias = {
  interfaceVersion: 3,
  name: 'jetmart-client-alias',
  resolve(source, file) {
    if (!source.startsWith('@/')) return { found: false };
    return nodeResolver.resolve(path.join(root, 'client', 'src', source.slice(2)), file);
  },
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/coverage/**',
      '**/test-results/**',
      '.jetmart/**',
      'bench/results/**',
      'client/next-env.d.ts',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  ...tseslint.configs.recommended,
  eslintComments.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules'],
      'import-x/resolver-next': [clientAlias, nodeResolver],
    },
    rules: {
      // Every eslint-disable says why, after `--` on the same comment.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unused-disable': 'error',
      // Packages (@jetmart/common included) are not followed: common's own cycles are found when common is linted.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },

  // CommonJS: the scripts, the benchmarks' JavaScript and the jest configs.
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['client/src/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // `const crypto = require('node:crypto')` names a module-scoped binding, not a redeclared global.
      'no-redeclare': ['error', { builtinGlobals: false }],
    },
  },

  // The storefront: React hooks and Next.js rules; its code runs in the browser and on the server.
  {
    files: ['client/**/*.ts', 'client/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks, '@next/next': nextPlugin },
    settings: { next: { rootDir: 'client/' } },
    rules: { ...reactHooks.configs.flat['recommended-latest'].rules, ...nextPlugin.configs['core-web-vitals'].rules },
  },

  // Shipped code never imports test code.
  {
    files: ['*/src/**/*.ts', '*/src/**/*.tsx'],
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { paths: TEST_ONLY_IMPORTS, patterns: TEST_ONLY_PATTERNS }] },
  },
  // A service's models are persistence and guarded transitions (docs/SERVICE_LAYOUT.md): no HTTP.
  // (Restating the shipped-code restrictions: a later block's options replace an earlier one's.)
  {
    files: services.map((s) => `${s}/src/models/**/*.ts`),
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...TEST_ONLY_IMPORTS,
            { name: 'express', message: 'models/ knows nothing of HTTP: return an outcome and let the route answer.' },
            {
              name: '@jetmart/common',
              importNames: HTTP_ERRORS,
              message: 'models/ throws no HTTP errors: return an outcome (e.g. "already-cancelled") and let the route map it to a status.',
            },
          ],
          patterns: [
            ...TEST_ONLY_PATTERNS,
            { group: ['**/routes', '**/routes/**'], message: 'models/ may not import routes/: routes depend on models, not the reverse.' },
          ],
        },
      ],
    },
  },

  // Tests: jest globals; `any` allowed for parsed YAML/JSON and deliberately malformed input.
  {
    files: TEST_FILES,
    languageOptions: { globals: { ...globals.jest } },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  prettierConfig,
);
