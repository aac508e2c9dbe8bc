/**
 * User search over schema `directory` (apply-worker's; its migration 007 adds the indexes): prefix
 * matches on username, email, "first last" and last name, ordered by username in the "C" collation
 * and paged by it (keyset: a page is `username > the last one shown`). Each branch is one range scan
 * of its own index and stops at the page size, so a page costs the same at 10 or 10M users, except
 * that name branches sort their matches by username (bounded by how common the name prefix is).
 */
import type pg from 'pg';

/** A search result. */
export interface UserSummaryRow {
  username: string;
  title: string | null;
  nameFirst: string;
  nameLast: string;
  email: string;
  active: boolean;
  inFeed: boolean;
  error: boolean;
}

/** `abc` → `abc%` with LIKE's own characters escaped, so `a_b` matches only itself. */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const C = 'COLLATE "C"';

/** Creates the repository over a pool. */
export function userSearchRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    /**
     * Up to `limit` users after `after` (username, '' for the first page) whose username, email,
     * full name or last name starts with `prefix` (lower-cased). `byEmail` (the text holds `@`)
     * searches usernames and emails only.
     */
    async search(opts: { prefix: string; byEmail: boolean; after: string; limit: number }): Promise<UserSummaryRow[]> {
      // The username branch walks its index in order. The others must not: with ORDER BY … LIMIT the
      // planner would happily walk the username index and filter, reading the whole table when the
      // prefix is rare. Ordering by `username || ''` (no index has it) makes them probe their own index,
      // which carries the username (migration 007), so each match costs an index entry, not a row.
      const branch = (where: string, order: string) =>
        `(SELECT username ${C} AS uname FROM directory."user"
          WHERE ${where} LIKE $1 AND ${order} > $2 ORDER BY ${order} LIMIT $3)`;
      const unordered = `(username || '') ${C}`;
      const branches = [branch(`username ${C}`, `username ${C}`), branch(`lower(email) ${C}`, unordered)];
      if (!opts.byEmail) {
        branches.push(
          branch(`lower(name_first || ' ' || name_last) ${C}`, unordered),
          branch(`lower(name_last) ${C}`, unordered),
        );
      }
      const { rows } = await db.query<{
        username: string;
        title: string | null;
        name_first: string;
        name_last: string;
        email: string;
        active: boolean;
        in_feed: boolean;
        error: boolean;
      }>(
        `SELECT u.username, u.title, u.name_first, u.name_last, u.email, u.active, u.in_feed, u.error
         FROM (SELECT DISTINCT uname FROM (${branches.join(' UNION ALL ')}) b ORDER BY uname LIMIT $3) m
         JOIN directory."user" u ON u.username = (m.uname COLLATE "default")
         ORDER BY u.username ${C}`,
        [likePrefix(opts.prefix), opts.after, opts.limit],
      );
      return rows.map((r) => ({
        username: r.username,
        title: r.title,
        nameFirst: r.name_first,
        nameLast: r.name_last,
        email: r.email,
        active: r.active,
        inFeed: r.in_feed,
        error: r.error,
      }));
    },
  };
}
