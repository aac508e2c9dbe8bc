/** admin.shown_once and admin.form_stash: short-lived form state (see migrations/002_forms.sql). */
import type pg from 'pg';

/** A shown-once value as read back: `sealed` is undefined when it was already shown. */
export interface ShownOnceRow {
  subject: string;
  sealed: Buffer | undefined;
  shownAt: Date | null;
}

/** Why a form's input could not be kept: an upload (its file is never read) or too much text. */
export type LostInput = 'upload' | 'too_large';

/** A kept form. `fields` is undefined when the form could not be kept, and `lost` says why. */
export interface FormStashRow {
  returnTo: string;
  postedTo: string;
  fields: Record<string, string | string[]> | undefined;
  lost: LostInput | undefined;
}

/** Most forms kept at once (each bounded in size): a bound on what unauthenticated POSTs can store. */
export const MAX_STASHES = 1000;

/** Creates the repository over a pool. */
export function formsRepository(db: Pick<pg.Pool, 'query'>) {
  return {
    async insertShownOnce(s: { sessionId: string; subject: string; sealed: Buffer; ttlMs: number }): Promise<string> {
      // Housekeeping on write: the table only ever holds minutes of rows.
      await db.query('DELETE FROM admin.shown_once WHERE expires_at < now()');
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO admin.shown_once (session_id, subject, sealed, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000)) RETURNING id`,
        [s.sessionId, s.subject, s.sealed, s.ttlMs],
      );
      return rows[0]!.id;
    },

    /**
     * Takes the value: returns it sealed and clears it in the same statement, so two concurrent
     * reloads cannot both see it. A second take returns the row with `sealed` undefined.
     */
    async takeShownOnce(id: string, sessionId: string): Promise<ShownOnceRow | undefined> {
      const { rows } = await db.query<{ subject: string; sealed: Buffer | null; shown_at: Date | null }>(
        `WITH prior AS (
           SELECT id, sealed FROM admin.shown_once
           WHERE id = $1 AND session_id = $2 AND expires_at > now() FOR UPDATE)
         UPDATE admin.shown_once s SET sealed = NULL, shown_at = coalesce(s.shown_at, now())
         FROM prior WHERE s.id = prior.id
         RETURNING s.subject, prior.sealed, s.shown_at`,
        [id, sessionId],
      );
      const r = rows[0];
      return r ? { subject: r.subject, sealed: r.sealed ?? undefined, shownAt: r.shown_at } : undefined;
    },

    async insertStash(s: {
      id: string;
      returnTo: string;
      postedTo: string;
      fields: Record<string, string | string[]> | undefined;
      lost: LostInput | undefined;
      ttlMs: number;
    }): Promise<boolean> {
      await db.query('DELETE FROM admin.form_stash WHERE expires_at < now()');
      // Anyone can send a POST with a stale cookie, so the table is capped: past MAX_STASHES live
      // entries nothing more is kept (the sign-in page then just says nothing was kept).
      const { rowCount } = await db.query(
        `INSERT INTO admin.form_stash (id, return_to, posted_to, fields, lost, expires_at)
         SELECT $1, $2, $3, $4, $7, now() + make_interval(secs => $5::double precision / 1000)
         WHERE (SELECT count(*) FROM admin.form_stash) < $6
         ON CONFLICT (id) DO UPDATE SET return_to = excluded.return_to, posted_to = excluded.posted_to,
           fields = excluded.fields, lost = excluded.lost, expires_at = excluded.expires_at`,
        [
          s.id,
          s.returnTo,
          s.postedTo,
          s.fields === undefined ? null : JSON.stringify(s.fields),
          s.ttlMs,
          MAX_STASHES,
          s.lost ?? null,
        ],
      );
      return (rowCount ?? 0) > 0;
    },

    async findStash(id: string): Promise<FormStashRow | undefined> {
      const { rows } = await db.query<{
        return_to: string;
        posted_to: string;
        fields: FormStashRow['fields'] | null;
        lost: LostInput | null;
      }>('SELECT return_to, posted_to, fields, lost FROM admin.form_stash WHERE id = $1 AND expires_at > now()', [id]);
      const r = rows[0];
      return r
        ? { returnTo: r.return_to, postedTo: r.posted_to, fields: r.fields ?? undefined, lost: r.lost ?? undefined }
        : undefined;
    },

    async deleteStash(id: string): Promise<void> {
      await db.query('DELETE FROM admin.form_stash WHERE id = $1', [id]);
    },
  };
}

export type FormsRepository = ReturnType<typeof formsRepository>;
