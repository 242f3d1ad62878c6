// Lint (issue 10, issue 11): typescript-eslint's recommended rules (the syntactic set, no type
// information, so the whole tree lints in seconds), React's rules of hooks for the client, and
// regular-expression safety (every pattern must run in linear time on any input and mean what it
// says). Not a style guide — formatting and naming rules are deliberately not enabled.
import reactHooks from 'eslint-plugin-react-hooks';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

// The plugin's "Possible Errors" rules (a pattern that cannot match what it seems to, or that can
// backtrack without bound) — its safety set — plus super-linear moves, which the recommended set
// leaves off: a pattern tried at every index of a long input is quadratic even without backtracking.
const safety = Object.fromEntries(
  Object.entries(regexp.rules)
    .filter(([, rule]) => rule.meta.docs.category === 'Possible Errors')
    .map(([name]) => [`regexp/${name}`, 'error']),
);

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'client/dist/**', 'tests/.reports/**', 'tests/e2e/.output/**', 'infra/mediasoup/**/build/**', '**/*.d.ts'],
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts}'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    // A disable comment that no longer suppresses anything is stale: an error, like any finding.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { regexp },
    rules: {
      ...safety,
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { ignoreSticky: false, ignorePartial: false, report: 'potential' }],
      // A leading underscore marks a binding kept on purpose (a rest pattern's omitted key, a
      // callback's unused parameter); `{ a, ...rest }` omits `a` by design.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },

  // The dependency direction (docs/architecture.md, "Layout"): server/contract/ is the shared
  // package — wire contract, job payloads, recording paths, pure shared functions, the logger — and
  // the only part of server/ that client/, media/ and workers/ may import. It imports nothing of the
  // repo outside itself. Only the composition root (server/main.ts) starts workers/ in-process.
  {
    files: ['client/**/*.{ts,tsx}', 'media/**/*.ts', 'workers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/server/**', '!**/server/contract', '!**/server/contract/**'], message: 'import only server/contract/ from outside server/ (the shared package)' },
          { group: ['**/client/**'], message: 'nothing imports the client' },
        ],
      }],
    },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/server/**', '!**/server/contract', '!**/server/contract/**'], message: 'the client imports only server/contract/' },
          { group: ['**/media/**', '**/workers/**'], message: 'the client imports only server/contract/' },
        ],
      }],
    },
  },
  {
    files: ['server/contract/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '../**'], message: 'server/contract/ imports nothing outside itself' }] }] },
  },
  {
    files: ['server/contract/*/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../../*', '../../**'], message: 'server/contract/ imports nothing outside itself' }] }] },
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/main.ts', 'server/contract/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/workers/**'], message: 'the web side adds jobs (server/jobs/) and shares payloads through server/contract/; only server/main.ts starts workers/' }],
      }],
    },
  },
  {
    // Tests read untyped wire payloads (acks, JSON bodies, Yjs internals) to assert on them; an
    // `any` there is the honest type, and the contract's types are checked on the production side.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // SQL only in repository modules (issue 11 item 3): a `.query(` call anywhere else in the
    // server, the workers or the media layer is an error. Repositories are files named repo.ts /
    // *Repo.ts, the migrations, and server/db/ (the driver).
    files: ['server/**/*.ts', 'workers/**/*.ts', 'media/**/*.ts'],
    ignores: [
      'server/db/**', '**/repo.ts', '**/*Repo.ts', '**/migrations.ts',
      // Repositories by another name: each file is the reads and writes of its own tables
      // (sessions, users, device codes, plan updates/snapshots) and nothing else.
      'server/auth/sessions.ts', 'server/auth/users.ts', 'server/auth/deviceCodes.ts', 'server/auth/deviceSessions.ts', 'server/plans/store.ts',
    ],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query']",
        message: 'SQL belongs in a repository module (repo.ts, *Repo.ts): add a function there and call it.',
      }],
    },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
