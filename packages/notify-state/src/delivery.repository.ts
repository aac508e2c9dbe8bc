/**
 * notify.delivery: one row per (event, channel, recipient). notify-worker sends a delivery while its
 * row is locked, so a redelivered event, or a second replica, finds it delivered (or busy) and sends
 * nothing twice; the portal lists a run's deliveries. Both go through here, so no other owner's code
 * names the table.
 */
import type pg from 'pg';
import { withTransaction } from '@usersync/platform';

/**
 * What a delivery reports: a run outcome (the event subject's last token), or `reminder`, the email
 * notify-worker sends once per run that has been held too long (its event id is made from the run id).
 */
export type DeliveryEventKind = 'completed' | 'failed' | 'held' | 'cancelled' | 'reminder' | 'alarm';

/** The key and origin of a delivery. */
export interface DeliveryKey {
  /** null for an alarm about no run (a silence). */
  runId: number | null;
  eventId: string;
  kind: DeliveryEventKind;
  channel: 'email' | 'webhook';
  recipient: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery row as the sender sees it. */
export interface DeliveryState {
  status: DeliveryStatus;
  attempts: number;
}

/** What one send did: the new status, the attempts it made and the last error. */
export interface SendResult {
  status: DeliveryStatus;
  attemptsMade: number;
  error?: string;
}

/**
 * Runs `send` with the delivery's row locked (created when missing) and records its result.
 * Returns the final status, or 'busy' when another worker holds the row right now. `send` is not
 * called for a row that is already delivered or failed.
 */
export async function withDelivery(
  pool: pg.Pool,
  key: DeliveryKey,
  send: (state: DeliveryState) => Promise<SendResult>,
): Promise<DeliveryStatus | 'busy'> {
  return withTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO notify.delivery (run_id, event_id, event_kind, channel, recipient) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (event_id, channel, recipient) DO NOTHING`,
      [key.runId, key.eventId, key.kind, key.channel, key.recipient],
    );
    const { rows } = await client.query<{ id: string; status: DeliveryStatus; attempts: number }>(
      `SELECT id, status, attempts FROM notify.delivery
       WHERE event_id = $1 AND channel = $2 AND recipient = $3 FOR UPDATE SKIP LOCKED`,
      [key.eventId, key.channel, key.recipient],
    );
    const row = rows[0];
    if (!row) return 'busy';
    if (row.status !== 'pending') return row.status;
    const result = await send({ status: row.status, attempts: row.attempts });
    await client.query(
      `UPDATE notify.delivery SET status = $2, attempts = attempts + $3, last_error = coalesce($4, last_error),
         updated_at = now(), delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
       WHERE id = $1`,
      [row.id, result.status, result.attemptsMade, result.error ?? null],
    );
    return result.status;
  });
}

/** One report delivery as the run page shows it. */
export interface DeliveryView {
  /** What was reported: completed, failed, held, cancelled, or reminder (held too long). */
  eventKind: string;
  channel: 'email' | 'webhook';
  /** Email address or endpoint URL. */
  recipient: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A run's deliveries, oldest first; [] when none (or when notify-worker has not migrated its schema yet). */
export async function listDeliveries(db: Pick<pg.Pool, 'query'>, runId: number): Promise<DeliveryView[]> {
  try {
    const { rows } = await db.query<{
      event_kind: string;
      channel: DeliveryView['channel'];
      recipient: string;
      status: DeliveryStatus;
      attempts: number;
      last_error: string | null;
      created_at: Date;
      delivered_at: Date | null;
    }>(
      `SELECT event_kind, channel, recipient, status, attempts, last_error, created_at, delivered_at
       FROM notify.delivery WHERE run_id = $1 ORDER BY id`,
      [runId],
    );
    return rows.map((r) => ({
      eventKind: r.event_kind,
      channel: r.channel,
      recipient: r.recipient,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  } catch (err) {
    // 42P01: notify.delivery does not exist yet (notify-worker never started against this database).
    if ((err as { code?: string }).code === '42P01') return [];
    throw err;
  }
}
