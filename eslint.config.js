// Lint = regular-expression safety only (issue 10): every pattern in the tree must run in linear
// time on any input, and must mean what it says. Not a style guide — formatting and naming rules
// are deliberately not enabled. typescript-eslint's parser reads .ts/.tsx; the rules come from
// eslint-plugin-regexp, which analyses each literal's automaton rather than guessing by shape.
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

// Some files carry disable comments for rules of other linters an editor may run (react-hooks,
// typescript-eslint's own rules). Those rules are not part of this lint; they are declared as
// no-ops only so that a comment naming them is not an error here.
const noop = { meta: { type: 'problem', schema: false }, create: () => ({}) };
const elsewhere = { rules: { 'exhaustive-deps': noop, 'rules-of-hooks': noop } };

export default [
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'client/dist/**', 'tests/.reports/**', 'tests/e2e/.output/**', 'infra/mediasoup/**/build/**', '**/*.d.ts'],
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts}'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 'latest',
      sourceType: 'module',
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    // Off: the comments for the other linters' rules (above) are "unused" here by design.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { regexp, '@typescript-eslint': tseslint.plugin, 'react-hooks': elsewhere },
    rules: {
      ...safety,
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { ignoreSticky: false, ignorePartial: false, report: 'potential' }],
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
];
