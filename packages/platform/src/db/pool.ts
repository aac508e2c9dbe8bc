/** PostgreSQL connection pool and the transaction helper every repository uses. */
import pg from 'pg';
import type { Logger } from 'pino';

/** Options for {@link createPool}. */
export interface PoolOptions {
  /** Maximum connections (default 10). */
  max?: number;
  /** Shown in pg_stat_activity, e.g. the service name. */
  applicationName?: string;
  /** Where errors of idle connections are reported (default: a process warning). */
  log?: Logger;
}

/** A pg pool for `url`. Errors on idle connections are logged instead of crashing the process. */
export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName,
  });
  // An idle client that loses its connection emits 'error' on the pool; unhandled, that would kill the
  // process. pg has already discarded the client, so reporting it is enough.
  pool.on('error', (err) => {
    if (opts.log) opts.log.warn({ err }, 'idle database connection failed');
    else process.emitWarning(err);
  });
  return pool;
}

/**
 * Runs `fn` inside BEGIN/COMMIT on one pooled client; rolls back when `fn` throws. The client is
 * always released, and destroyed (not reused) when ROLLBACK itself fails, since its state is unknown.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr as Error;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
