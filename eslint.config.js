// typescript-eslint "recommended" plus the promise rules that catch lost async errors, a file-length
// limit, and the import boundaries of the layout (README "Layout").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Every service (web is the admin gateway, a service like the others). */
const SERVICES = {
  'key-service': 'services/key-service',
  'ingest-gateway': 'services/ingest-gateway',
  'apply-worker': 'services/apply-worker',
  'notify-worker': 'services/notify-worker',
  'lookup-service': 'services/lookup-service',
  web: 'web',
};
/** What each shared package may import of ours (lower layers only); cli is the ops tool on top of everything. */
const PACKAGE_LAYERS = {
  contracts: [],
  'control-file': [],
  scim: [],
  platform: ['contracts'],
  'run-state': ['contracts', 'platform', 'control-file'],
  'notify-state': ['contracts', 'platform'],
  devstack: ['contracts', 'platform'],
};
const TESTS = ['**/*.test.ts', '**/test/**', '**/*.fixture.ts', '**/bench/**'];
const otherServices = (self) =>
  Object.keys(SERVICES)
    .filter((s) => s !== self)
    .map((s) => ({
      name: `@usersync/${s}`,
      message: 'Services never import each other: use its API or the owner package.',
    }));
/** The same rule for relative paths into another service's folder (`../../../apply-worker/src/…`). */
const otherServiceFolders = (self) => [
  {
    group: Object.entries(SERVICES)
      .filter(([s]) => s !== self)
      .flatMap(([, dir]) => [`**/${dir.split('/').at(-1)}/src/**`, `**/${dir.split('/').at(-1)}/test/**`]),
    message: 'Services never import each other: use its API or the owner package.',
  },
];
/** domain/ is pure: no I/O clients, and nothing from the layers that do I/O. */
const DOMAIN_PATHS = ['pg', 'pg-copy-streams', 'nats', 'minio', 'fastify', '@grpc/grpc-js', 'nodemailer'].map(
  (name) => ({
    name,
    message: 'domain/ is pure: do I/O in store/, clients/ or usecases/.',
  }),
);
const DOMAIN_PATTERNS = [
  {
    group: ['../store/*', '../usecases/*', '../handlers/*', '../clients/*'],
    message: 'domain/ imports only domain code.',
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/contracts/src/gen/**', '.local/**', 'web/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // One program over every workspace's sources and tests (tsconfig.test.json), so tests are linted too.
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
    },
  },
  // Small files: split a module by concept (or a test file by topic) before it passes 300 lines.
  { files: ['**/*.ts', '**/*.mjs', '**/*.js'], rules: { 'max-lines': ['error', { max: 300 }] } },
  ...Object.entries(SERVICES).flatMap(([name, dir]) => [
    {
      files: [`${dir}/src/**/*.ts`],
      ignores: TESTS,
      rules: {
        'no-restricted-imports': ['error', { paths: otherServices(name), patterns: otherServiceFolders(name) }],
      },
    },
    {
      files: [`${dir}/src/domain/**/*.ts`],
      ignores: TESTS,
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [...otherServices(name), ...DOMAIN_PATHS],
            patterns: [...otherServiceFolders(name), ...DOMAIN_PATTERNS],
          },
        ],
      },
    },
  ]),
  ...Object.entries(PACKAGE_LAYERS).map(([name, allowed]) => ({
    files: [`packages/${name}/src/**/*.ts`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@usersync/*', ...allowed.map((a) => `!@usersync/${a}`)],
              message: `@usersync/${name} may import only ${allowed.length ? allowed.join(', ') : 'no other workspace'} (lower layers).`,
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
      },
    },
  },
);
