import { fileURLToPath } from 'node:url';

const fromRoot = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/**
 * Every schema owner and its migrations folder (DESIGN §1: one schema per owner, each owner ships
 * its own migrations). `usersync migrate` runs them all; each service also runs its own at start.
 */
export const MIGRATION_OWNERS: ReadonlyArray<{ owner: string; service: string; dir: string }> = [
  { owner: 'runs', service: 'ingest-gateway', dir: fromRoot('services/ingest-gateway/migrations') },
  { owner: 'directory', service: 'apply-worker', dir: fromRoot('services/apply-worker/migrations') },
  { owner: 'keys', service: 'key-service', dir: fromRoot('services/key-service/migrations') },
  { owner: 'notify', service: 'notify-worker', dir: fromRoot('services/notify-worker/migrations') },
  { owner: 'admin', service: 'web', dir: fromRoot('web/migrations') },
];
