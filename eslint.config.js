// Type-aware lint for every workspace: floating promises and misused promises are errors,
// because an unawaited promise in a service is a lost error or a crash at a distance.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.turbo/**',
      '**/.vitest/**',
      '**/coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    // Tests and command-line programs talk to a person on stdout.
    files: ['**/test/**', '**/*.test.ts', 'apps/cli/**', 'scripts/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // A test or benchmark reaches another workspace through its package exports (e.g. the
    // registry's `@mlops/registry/testing`, `@mlops/ml/testing`), never through that
    // workspace's src/ or test/ by relative path: each such import was its own copy of the
    // setup (#22).
    files: ['**/test/**', '**/*.test.ts', '**/bench/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./){2,}(apps/|packages/)?(?!\\.\\.)[^/]+/(src|test)(/|$)',
              message:
                "Import another workspace through its package exports (e.g. '@mlops/ml/testing'), not its src/ or test/.",
            },
          ],
        },
      ],
    },
  },
);
