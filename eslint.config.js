import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ENTRY_POINT = {
  regex: '(^|/)registerLogging(\\.js)?$',
  message: 'Features never import the entry point; the live handle is in liveHandle.ts.',
};
const SDK_PACKAGES = {
  group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/otlp-*'],
  message: 'The CLI reads files; it never imports the OpenTelemetry SDK.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'logs/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Use explicit named exports.' },
      ],
    },
  },
  // Layering (STYLE.md): features never import the entry point (the live
  // handle has a module of its own, liveHandle.ts); the CLI reads files and
  // never imports the SDK.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/index.ts', 'src/registerLogging.ts', 'src/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ENTRY_POINT] }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ENTRY_POINT, SDK_PACKAGES] }],
    },
  },
  {
    files: ['src/cli/**', 'examples/**', 'test/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
