/** admin.login_attempt: failed logins, counted per account and per IP over a sliding window. */
import type pg from 'pg';

/** Creates the repository over a pool. */
export function loginAttemptRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    /** Failures within the window for this email and for this IP. */
    async countRecent(email: string, ip: string, windowMs: number): Promise<{ account: number; ip: number }> {
      const { rows } = await db.query<{ account: string; ip: string }>(
        `SELECT count(*) FILTER (WHERE email = $1) AS account, count(*) FILTER (WHERE ip = $2) AS ip
         FROM admin.login_attempt
         WHERE at > now() - make_interval(secs => $3::double precision / 1000) AND (email = $1 OR ip = $2)`,
        [email, ip, windowMs],
      );
      return { account: Number(rows[0]?.account ?? 0), ip: Number(rows[0]?.ip ?? 0) };
    },

    /** Records one failure and prunes rows older than the window (keeps the table small). */
    async recordFailure(email: string, ip: string, windowMs: number): Promise<void> {
      await db.query('INSERT INTO admin.login_attempt (email, ip) VALUES ($1, $2)', [email.slice(0, 320), ip]);
      await db.query(
        'DELETE FROM admin.login_attempt WHERE at < now() - make_interval(secs => $1::double precision / 1000)',
        [windowMs],
      );
    },

    /** A successful login forgives the account's earlier failures (not the IP's). */
    async clearAccount(email: string): Promise<void> {
      await db.query('DELETE FROM admin.login_attempt WHERE email = $1', [email]);
    },
  };
}

export type LoginAttemptRepository = ReturnType<typeof loginAttemptRepository>;
