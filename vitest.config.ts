import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against workspace sources, not dist/, so `npm test` needs no build first.
export default defineConfig({
  resolve: {
    alias: {
      '@usersync/contracts': src('./packages/contracts/src/index.ts'),
      '@usersync/platform': src('./packages/platform/src/index.ts'),
      '@usersync/control-file': src('./packages/control-file/src/index.ts'),
      '@usersync/run-state': src('./packages/run-state/src/index.ts'),
      '@usersync/notify-state': src('./packages/notify-state/src/index.ts'),
      '@usersync/scim': src('./packages/scim/src/index.ts'),
      '@usersync/devstack': src('./packages/devstack/src/index.ts'),
      '@usersync/cli': src('./packages/cli/src/index.ts'),
      '@usersync/key-service': src('./services/key-service/src/index.ts'),
      '@usersync/ingest-gateway': src('./services/ingest-gateway/src/index.ts'),
      '@usersync/apply-worker': src('./services/apply-worker/src/index.ts'),
      '@usersync/notify-worker': src('./services/notify-worker/src/index.ts'),
      '@usersync/lookup-service': src('./services/lookup-service/src/index.ts'),
      '@usersync/web': src('./web/src/index.ts'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/{src,test}/**/*.test.ts',
      'web/{src,test}/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./test/setup/global-setup.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
