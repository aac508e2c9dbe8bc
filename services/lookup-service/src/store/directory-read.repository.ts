/**
 * Reads of schema `directory` (owned by apply-worker) for one user at a time, and the one write this
 * service makes there: the error flag. Every query is an index probe: username (unique), lower(email) in
 * the "C" collation (user_email_prefix_idx), history (user_id, id), last_record and membership by user_id.
 */
import type pg from 'pg';

/** A user row with what LookupUser shows beside it. */
export interface UserRow {
  id: number;
  username: string;
  title: string | null;
  nameFirst: string;
  nameLast: string;
  email: string;
  active: boolean;
  inFeed: boolean;
  error: boolean;
  managed: boolean;
  /** The source that owns the user: `file` (the uploaded feed) or `scim` (SCIM provisioning). */
  source: 'file' | 'scim';
  tags: Record<string, unknown>;
  profile: Record<string, unknown>;
  digest: string | null;
  lastRunId: number | null;
  createdAt: Date;
  updatedAt: Date;
  record: unknown;
  recordRunId: number | null;
  groups: Array<{ code: string; name: string; source: 'sync' | 'manual' }>;
  lastBlockRunId: number | null;
  lastReactivateRunId: number | null;
  /** When a run blocked the user for being absent from the feed (the recycle bin, migration 009); null otherwise. */
  blockedAt: Date | null;
  /** When the recycle timer anonymised the user; null otherwise. */
  anonymisedAt: Date | null;
}

/** At most this many users share one email in an answer (a shared mailbox must not return the directory). */
export const MAX_MATCHES = 50;

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

// The latest block/reactivate come from history, the run-by-run record of what changed the user.
const SELECT_USER = `
  SELECT u.id, u.username, u.title, u.name_first, u.name_last, u.email, u.active, u.in_feed, u.error, u.managed,
    u.source, u.tags, u.profile, u.desired_digest, u.last_run_id, u.created_at, u.updated_at, u.blocked_at,
    u.anonymised_at,
    lr.record, lr.run_id AS record_run_id,
    coalesce((SELECT jsonb_agg(jsonb_build_object('code', m.group_code, 'name', g.name, 'source', m.source)
                               ORDER BY m.group_code, m.source)
              FROM directory.membership m JOIN directory."group" g ON g.code = m.group_code
              WHERE m.user_id = u.id), '[]'::jsonb) AS groups,
    (SELECT h.run_id FROM directory.history h WHERE h.user_id = u.id AND h.action = 'block'
     ORDER BY h.id DESC LIMIT 1) AS last_block_run_id,
    (SELECT h.run_id FROM directory.history h WHERE h.user_id = u.id AND h.action = 'reactivate'
     ORDER BY h.id DESC LIMIT 1) AS last_reactivate_run_id
  FROM directory."user" u LEFT JOIN directory.last_record lr ON lr.user_id = u.id`;

interface RawUser {
  id: string;
  username: string;
  title: string | null;
  name_first: string;
  name_last: string;
  email: string;
  active: boolean;
  in_feed: boolean;
  error: boolean;
  managed: boolean;
  source: 'file' | 'scim';
  tags: Record<string, unknown>;
  profile: Record<string, unknown>;
  desired_digest: string | null;
  last_run_id: string | null;
  created_at: Date;
  updated_at: Date;
  record: unknown;
  record_run_id: string | null;
  groups: UserRow['groups'];
  last_block_run_id: string | null;
  last_reactivate_run_id: string | null;
  blocked_at: Date | null;
  anonymised_at: Date | null;
}

function toUser(r: RawUser): UserRow {
  return {
    id: Number(r.id),
    username: r.username,
    title: r.title,
    nameFirst: r.name_first,
    nameLast: r.name_last,
    email: r.email,
    active: r.active,
    inFeed: r.in_feed,
    error: r.error,
    managed: r.managed,
    source: r.source,
    tags: r.tags,
    profile: r.profile,
    digest: r.desired_digest,
    lastRunId: num(r.last_run_id),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    record: r.record ?? null,
    recordRunId: num(r.record_run_id),
    groups: r.groups,
    lastBlockRunId: num(r.last_block_run_id),
    lastReactivateRunId: num(r.last_reactivate_run_id),
    blockedAt: r.blocked_at,
    anonymisedAt: r.anonymised_at,
  };
}

/** Creates the repository over a pool. */
export function directoryReadRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    /** Users by exact (lower-cased) username. */
    async byUsername(username: string): Promise<UserRow[]> {
      const { rows } = await db.query<RawUser>(`${SELECT_USER} WHERE u.username = $1`, [username]);
      return rows.map(toUser);
    },

    /**
     * Users whose lower(email) is `email`, plus a user whose username is that text (some feeds use
     * email addresses as usernames); username order, at most MAX_MATCHES.
     */
    async byEmail(email: string): Promise<UserRow[]> {
      const { rows } = await db.query<RawUser>(
        `${SELECT_USER} WHERE lower(u.email) COLLATE "C" = $1 OR u.username = $1 ORDER BY u.username LIMIT ${MAX_MATCHES}`,
        [email],
      );
      return rows.map(toUser);
    },

    /** The id of a user, or null. */
    async idOf(username: string): Promise<number | null> {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM directory."user" WHERE username = $1`, [
        username,
      ]);
      return rows[0] ? Number(rows[0].id) : null;
    },

    /** Sets the error flag; returns whether it was already set, or null when there is no such user. */
    async setError(username: string): Promise<{ wasSet: boolean } | null> {
      const { rows } = await db.query<{ was: boolean }>(
        `UPDATE directory."user" u SET error = true
         FROM (SELECT id, error AS was FROM directory."user" WHERE username = $1 FOR UPDATE) o
         WHERE u.id = o.id RETURNING o.was`,
        [username],
      );
      return rows[0] ? { wasSet: rows[0].was } : null;
    },
  };
}

export type DirectoryReadRepository = ReturnType<typeof directoryReadRepository>;
