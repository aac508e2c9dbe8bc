/** admin.audit: the append-only audit log of every admin action. */
import type pg from 'pg';
import type { Actor, ActorKind } from '@usersync/platform';

/** Who acted: platform's Actor, or someone not signed in (a failed login) as kind `anonymous`. */
export type AuditActor = Omit<Actor, 'kind'> & { kind: ActorKind | 'anonymous' };

/** One audit entry as written. */
export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb, e.g. `login.succeeded`, `api_key.created`. */
  action: string;
  /** What was acted on, e.g. `api_key:<id>` or an email; null when nothing specific. */
  target: string | null;
  detail?: Record<string, unknown>;
  ip: string | null;
}

/** One audit entry as read. */
export interface AuditRecord extends AuditEntry {
  id: number;
  at: Date;
  detail: Record<string, unknown>;
}

/** Creates the repository over a pool (or a transaction's client). */
export function auditRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    async write(e: AuditEntry): Promise<void> {
      await db.query('INSERT INTO admin.audit (actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5)', [
        JSON.stringify(e.actor),
        e.action,
        e.target,
        JSON.stringify(e.detail ?? {}),
        e.ip,
      ]);
    },

    /** Newest first; `beforeId` pages back (keyset, stable while new entries arrive). */
    async list(opts: { limit: number; beforeId?: number }): Promise<{ entries: AuditRecord[]; hasMore: boolean }> {
      const { rows } = await db.query<{
        id: string;
        at: Date;
        actor: AuditActor;
        action: string;
        target: string | null;
        detail: Record<string, unknown>;
        ip: string | null;
      }>(
        `SELECT id, at, actor, action, target, detail, ip FROM admin.audit
         WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
        [opts.beforeId ?? null, opts.limit + 1],
      );
      const entries = rows.slice(0, opts.limit).map((r) => ({ ...r, id: Number(r.id) }));
      return { entries, hasMore: rows.length > opts.limit };
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
