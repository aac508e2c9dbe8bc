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

/** What list() selects. */
export interface AuditQuery {
  limit: number;
  /** Keyset position: entries strictly after it in newest-first order. */
  before?: { at: Date; id: number };
  /** Entries with an id below this (the older `?before=<id>` links). */
  beforeId?: number;
  /** Only these actions; empty for all. */
  actions?: readonly string[];
  /** Leave out actions matching these LIKE patterns (sign-ins by default). */
  excludeLike?: readonly string[];
  /** Only entries by this actor. */
  actor?: { kind: string; id: string };
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

    /**
     * Newest first, filtered. `before` pages back by position (keyset, stable while new entries
     * arrive): entries recorded before `before.at` to the millisecond, or at it with an id below
     * `before.id`. Millisecond precision is what a JavaScript cursor keeps, so no row is skipped.
     */
    async list(opts: AuditQuery): Promise<{ entries: AuditRecord[]; hasMore: boolean }> {
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
         WHERE ($1::timestamptz IS NULL OR (date_trunc('milliseconds', at), id) < ($1::timestamptz, $2::bigint))
           AND ($3::bigint IS NULL OR id < $3)
           AND (cardinality($4::text[]) = 0 OR action = ANY($4::text[]))
           AND NOT (action LIKE ANY($5::text[]))
           AND ($6::text IS NULL OR actor->>'kind' = $6)
           AND ($7::text IS NULL OR actor->>'id' = $7)
         ORDER BY date_trunc('milliseconds', at) DESC, id DESC LIMIT $8`,
        [
          opts.before?.at ?? null,
          opts.before?.id ?? 0,
          opts.beforeId ?? null,
          opts.actions ?? [],
          opts.excludeLike ?? [],
          opts.actor?.kind ?? null,
          opts.actor?.id ?? null,
          opts.limit + 1,
        ],
      );
      const entries = rows.slice(0, opts.limit).map((r) => ({ ...r, id: Number(r.id) }));
      return { entries, hasMore: rows.length > opts.limit };
    },

    /** The distinct admins that appear in the log (for the person filter), by name. */
    async actors(): Promise<AuditActor[]> {
      const { rows } = await db.query<{ actor: AuditActor }>(
        `SELECT DISTINCT ON (actor->>'kind', actor->>'id') actor FROM admin.audit
         WHERE actor->>'kind' = 'admin' ORDER BY actor->>'kind', actor->>'id', id DESC`,
      );
      return rows.map((r) => r.actor).sort((a, b) => a.displayName.localeCompare(b.displayName));
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
