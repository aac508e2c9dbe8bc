/** admin.session: server-side sessions keyed by the SHA-256 of the cookie token. */
import type pg from 'pg';
import type { AdminAccount } from './admin.repository.js';

/** A live session joined with its admin. */
export interface SessionRecord {
  id: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  admin: AdminAccount;
}

/** Creates the repository over a pool. */
export function sessionRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    async insert(s: {
      id: string;
      adminId: string;
      csrfToken: string;
      expiresAt: Date;
      ip: string;
      userAgent: string | undefined;
    }): Promise<void> {
      await db.query(
        `INSERT INTO admin.session (id, admin_id, csrf_token, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [s.id, s.adminId, s.csrfToken, s.expiresAt, s.ip, s.userAgent?.slice(0, 500) ?? null],
      );
    },

    /**
     * The session if it is neither past its absolute expiry nor idle for longer than `idleMs`, and
     * its admin is not disabled; its last_seen_at is moved to now in the same statement.
     */
    async touch(id: string, idleMs: number): Promise<SessionRecord | undefined> {
      const { rows } = await db.query<{
        id: string;
        csrf_token: string;
        created_at: Date;
        last_seen_at: Date;
        expires_at: Date;
        admin_id: string;
        email: string;
        display_name: string;
        admin_created_at: Date;
        last_login_at: Date | null;
      }>(
        `UPDATE admin.session s SET last_seen_at = now()
         FROM admin.admin_account a
         WHERE s.id = $1 AND a.id = s.admin_id AND NOT a.disabled
           AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2::double precision / 1000)
         RETURNING s.id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
                   a.id AS admin_id, a.email, a.display_name, a.created_at AS admin_created_at, a.last_login_at`,
        [id, idleMs],
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        id: r.id,
        csrfToken: r.csrf_token,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        expiresAt: r.expires_at,
        admin: {
          id: r.admin_id,
          email: r.email,
          displayName: r.display_name,
          createdAt: r.admin_created_at,
          lastLoginAt: r.last_login_at,
          disabled: false,
        },
      };
    },

    async delete(id: string): Promise<void> {
      await db.query('DELETE FROM admin.session WHERE id = $1', [id]);
    },

    /** Removes sessions past their absolute or idle expiry; returns how many. */
    async deleteExpired(idleMs: number): Promise<number> {
      const { rowCount } = await db.query(
        `DELETE FROM admin.session
         WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(secs => $1::double precision / 1000)`,
        [idleMs],
      );
      return rowCount ?? 0;
    },
  };
}

export type SessionRepository = ReturnType<typeof sessionRepository>;
