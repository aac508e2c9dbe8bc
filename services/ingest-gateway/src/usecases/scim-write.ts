/**
 * What every SCIM write shares: one transaction that also marks the SCIM source changed, a taken name
 * answered 409 uniqueness, and the resource to change locked and checked against `If-Match`.
 */
import type pg from 'pg';
import { withTransaction } from '@usersync/platform';
import { checkIfMatch, notFound, type ScimError } from '@usersync/scim';
import { bumpScimChange, ScimConflict } from '../store/scim-users.repository.js';

export async function scimWrite<T>(
  pool: pg.Pool,
  taken: (name: string) => ScimError,
  fn: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  try {
    return await withTransaction(pool, async (tx) => {
      const out = await fn(tx);
      await bumpScimChange(tx);
      return out;
    });
  } catch (err) {
    if (err instanceof ScimConflict) throw taken(err.message);
    throw err;
  }
}

/** The locked row of the resource to change (404 when there is none, 412 when If-Match is stale). */
export function lockedCurrent<R extends { version: number }>(
  kind: 'User' | 'Group',
  read: (tx: pg.PoolClient, id: string) => Promise<R | undefined>,
) {
  return async (tx: pg.PoolClient, id: string, ifMatch: string | undefined): Promise<R> => {
    const row = await read(tx, id);
    if (!row) throw notFound(`No ${kind} has the id ${JSON.stringify(id)}.`);
    checkIfMatch(ifMatch, row.version);
    return row;
  };
}
