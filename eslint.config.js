// Flat config: TypeScript strict rules for .ts, the Svelte plugin for .svelte, Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      // Tool caches; tests/helpers/app-build.ts builds the app in .cache/ before it becomes dist/.
      '.cache/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'models/fixtures/',
      'models/mini/',
      'work/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // The core is shared by browser and Node: no DOM, no Node APIs, no engines.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'svelte',
            'svelte/*',
            'onnxruntime-*',
            '@mlc-ai/*',
            // Any depth: core has no folder of these names, so a match is always a lower layer.
            '**/runtime/**',
            '**/web/**',
            '**/node/**',
          ],
        },
      ],
    },
  },
);
