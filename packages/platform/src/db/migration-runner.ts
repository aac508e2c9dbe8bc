/**
 * Schema migrations, one schema per owning service (DESIGN §1). Every owner schema first gets the
 * platform's built-in migrations (version 000: the outbox table, see outbox/outbox.schema.ts), then
 * the owner's own NNN_name.sql files. Both are recorded in <owner>.schema_migrations, so version 000
 * is applied once per schema like any other file, and owner files start at 001.
 * Files must not contain BEGIN/COMMIT or statements that cannot run in a transaction
 * (CREATE INDEX CONCURRENTLY): the runner wraps each file in its own transaction.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import { OUTBOX_MIGRATION } from '../outbox/outbox.schema.js';
import { checksumOf, loadMigrationFiles, type Migration } from './migration-files.js';
import { quoteIdent } from './identifiers.js';

/**
 * One fixed advisory-lock key ('usersync' in ASCII) for every owner: replicas that start together
 * queue behind each other, and the second one finds nothing pending. A single key (rather than one
 * per owner) also keeps concurrent CREATE SCHEMA of different owners from racing in the catalog.
 */
export const MIGRATION_LOCK_KEY = BigInt('0x7573657273796e63').toString();

const BUILT_IN: Migration[] = [OUTBOX_MIGRATION].map((m) => ({ ...m, checksum: checksumOf(m.sql) }));

/** Options for {@link runMigrations}. */
export interface MigrationOptions {
  /** The owner's schema name, e.g. 'runs'. */
  owner: string;
  /** Folder of NNN_name.sql files (NNN ≥ 001). */
  dir: string;
  log: Logger;
}

/** What one runner did: the migrations it applied itself (empty when another replica got there first). */
export interface MigrationResult {
  applied: Array<{ version: number; name: string }>;
}

/**
 * Brings schema `owner` up to date: creates it if missing, refuses to continue when an applied
 * migration's file has changed, then applies each pending migration in its own transaction with
 * `search_path` set to the owner schema. Safe to call from several processes at once.
 */
export async function runMigrations(pool: pg.Pool, opts: MigrationOptions): Promise<MigrationResult> {
  const schema = quoteIdent(opts.owner);
  const log = opts.log.child({ owner: opts.owner });
  // Read files before taking the lock so a bad folder fails fast without blocking other replicas.
  const migrations = [...BUILT_IN, ...(await loadMigrationFiles(opts.dir))];
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
           version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        `SELECT version, name, checksum FROM ${schema}.schema_migrations ORDER BY version`,
      );
      const applied = new Map(rows.map((r) => [r.version, r]));
      verifyChecksums(opts.owner, migrations, applied, log);
      const result: MigrationResult = { applied: [] };
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await applyOne(client, schema, m, opts.owner);
        log.info({ version: m.version, name: m.name }, 'migration applied');
        result.applied.push({ version: m.version, name: m.name });
      }
      if (result.applied.length === 0) log.debug('migrations up to date');
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch((err: Error) => {
        // Destroying the connection ends the session, which releases the lock anyway.
        broken = err;
      });
    }
  } finally {
    client.release(broken);
  }
}

function verifyChecksums(
  owner: string,
  migrations: Migration[],
  applied: Map<number, { name: string; checksum: string }>,
  log: Logger,
): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const [version, row] of applied) {
    const m = known.get(version);
    if (!m) {
      // A deleted file is suspicious but harmless to the database; a changed one is not.
      log.warn({ version, name: row.name }, 'applied migration has no file');
      continue;
    }
    if (m.checksum !== row.checksum) {
      throw new AppError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `migration ${String(version).padStart(3, '0')}_${m.name} of schema ${owner} was changed after it was applied; ` +
          'restore the original file and add a new migration instead',
      );
    }
  }
}

async function applyOne(client: pg.PoolClient, schema: string, m: Migration, owner: string): Promise<void> {
  await client.query('BEGIN');
  try {
    // SET LOCAL lasts only for this transaction, so the pooled connection returns with its default path.
    await client.query(`SET LOCAL search_path TO ${schema}, public`);
    await client.query(m.sql);
    await client.query(`INSERT INTO ${schema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
      m.version,
      m.name,
      m.checksum,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    // If ROLLBACK fails too, the unlock query fails next and the connection is destroyed.
    await client.query('ROLLBACK').catch(() => undefined);
    const label = `${String(m.version).padStart(3, '0')}_${m.name}`;
    throw new AppError('MIGRATION_FAILED', `migration ${label} of schema ${owner} failed`, 'internal', { cause: err });
  }
}
