// Lint: the rules that catch real bugs here (a promise nobody awaits, a promise where a
// callback's result is ignored) and the import boundaries of ARCHITECTURE (workflow code only
// imports what is deterministic; contract/ stays pure).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Workflow code is replayed in a sandbox: values only from @temporalio/workflow, contract/ and
// pure core/; types (erased at build) from anywhere, e.g. the activities' signatures.
const workflowImports = {
  patterns: [
    {
      regex: '^\\.\\./(?!contract/|core/)',
      allowTypeImports: true,
      message: 'Workflow code imports values only from @temporalio/workflow, contract/ and pure core/ (types from anywhere).',
    },
    {
      regex: '^(node:|@temporalio/(client|worker|activity|testing)|@duckdb/|@aws-sdk/|kafkajs)',
      message: 'Workflow code is replayed in a sandbox: no Node APIs, clients, activities or I/O libraries.',
    },
  ],
};

// contract/ is what both sides of a boundary import: nothing of Freshet's but core/ types.
const contractImports = {
  patterns: [
    { regex: '^\\.\\./(?!core/)', message: 'contract/ imports nothing of Freshet but core/ types.' },
    { regex: '^\\.\\./core/', allowTypeImports: true, message: 'contract/ imports only types from core/.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.freshet/', 'test-results/', 'dist/', 'web/app/dist/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['web/app/vite.config.ts', '*.js', 'bin/*.mjs', 'scripts/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Parsers of hostile input match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read arbitrary JSON answers.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['web/app/**/*.tsx', 'web/app/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', workflowImports] },
  },
  {
    files: ['contract/**/*.ts'],
    ignores: ['contract/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', contractImports] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
