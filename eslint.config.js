// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // No import circles anywhere (type-only imports do not count: they vanish at build time).
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  // Layer boundaries: core is framework-free and knows nothing of stores, UI or the server.
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['react', 'react-dom', 'react/*', 'zustand', 'zustand/*'], message: 'src/core is framework-free: no React or Zustand.' },
          { group: ['**/store/**', '**/ui/**', '**/workers/**', '**/server/**', '**/cli/**'], message: 'src/core must not import from store, ui, workers, cli or server.' },
        ],
      }],
    },
  },
  // Platform adapters (IndexedDB, ...) implement core interfaces; they know nothing of stores or UI.
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['react', 'react-dom', 'zustand', '**/store/**', '**/ui/**', '**/server/**'], message: 'src/lib adapts platform APIs for core: no React, stores, UI or server.' }],
      }],
    },
  },
  // Stores hold state and actions; they never import components.
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/ui/**', 'react-dom', '**/server/**'], message: 'src/store must not import UI components or the server.' }],
      }],
    },
  },
  // The CLI is a thin entry over core, like the UI (`facematch serve` loads the server on demand).
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/ui/**', '**/store/**', 'react', 'react-dom', 'zustand', 'zustand/*'], message: 'src/cli may import src/core only.' }],
      }],
    },
  },
  // Workers host core off the page: they post messages, never touch stores or components.
  {
    files: ['src/workers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/ui/**', '**/store/**', '**/server/**', '**/cli/**', 'react', 'react-dom', 'zustand', 'zustand/*'], message: 'src/workers may import src/core and src/lib only.' }],
      }],
    },
  },
  // Components render stores and core; the server and the CLI are other programs.
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/server/**', '**/cli/**'], message: 'src/ui must not import the server or the CLI: reach the server over HTTP.' }],
      }],
    },
  },
  // The server reuses core rules but never the browser app.
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/src/ui/**', '**/src/store/**', 'react', 'react-dom'], message: 'The server may import src/core only.' }],
      }],
    },
  },
);
