// Lint rules for the whole codebase. Formatting is Prettier's job (eslint-config-prettier
// turns off the rules that would disagree with it); type-aware rules catch what a server
// cannot afford, such as a promise nobody awaits (its error would be lost).
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'client/web/dist/',
      'client/sdk/openapi.d.ts',
      'db/migrations/',
      'data/',
      'coverage/',
      '.tap/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tap's t.test() returns a promise the runner tracks itself: nothing is lost unawaited.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'skip', 'todo'], package: '@tapjs/test' },
            { from: 'package', name: ['test', 'skip', 'todo'], package: '@tapjs/core' },
            { from: 'package', name: ['test'], package: 'tap' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Tests and benchmarks read the JSON a caller would see; typing every response body there
    // would add noise, not safety. Server and client code stay free of `any`.
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
)
