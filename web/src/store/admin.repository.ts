/** admin.admin_account: portal accounts. SQL lives here only. */
import type pg from 'pg';

/** A portal admin (never carries the password hash outside this module and the login check). */
export interface AdminAccount {
  id: string;
  email: string;
  displayName: string;
  createdAt: Date;
  lastLoginAt: Date | null;
  disabled: boolean;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

interface Row {
  id: string;
  email: string;
  display_name: string;
  created_at: Date;
  last_login_at: Date | null;
  disabled: boolean;
}
const COLUMNS = 'id, email, display_name, created_at, last_login_at, disabled';
const toAccount = (r: Row): AdminAccount => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
  disabled: r.disabled,
});

/** Creates the repository over a pool (or a transaction's client). */
export function adminRepository(db: Queryable) {
  return {
    /** The account and its password hash for a login check, by lower-cased email. */
    async findForLogin(email: string): Promise<{ account: AdminAccount; passwordHash: string } | undefined> {
      const { rows } = await db.query<Row & { password_hash: string }>(
        `SELECT ${COLUMNS}, password_hash FROM admin.admin_account WHERE email = $1`,
        [email],
      );
      const row = rows[0];
      return row ? { account: toAccount(row), passwordHash: row.password_hash } : undefined;
    },

    async findById(id: string): Promise<AdminAccount | undefined> {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM admin.admin_account WHERE id = $1`, [id]);
      return rows[0] ? toAccount(rows[0]) : undefined;
    },

    /** Inserts an account; undefined when the email is taken. */
    async insert(a: { email: string; displayName: string; passwordHash: string }): Promise<AdminAccount | undefined> {
      const { rows } = await db.query<Row>(
        `INSERT INTO admin.admin_account (email, display_name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
        [a.email, a.displayName, a.passwordHash],
      );
      return rows[0] ? toAccount(rows[0]) : undefined;
    },

    async count(): Promise<number> {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM admin.admin_account');
      return Number(rows[0]?.n ?? 0);
    },

    async recordLogin(id: string): Promise<void> {
      await db.query('UPDATE admin.admin_account SET last_login_at = now() WHERE id = $1', [id]);
    },
  };
}

export type AdminRepository = ReturnType<typeof adminRepository>;
