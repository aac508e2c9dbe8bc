/** notify.delivery, read-only: the report deliveries of a run (owned and written by notify-worker). */
import type pg from 'pg';

/** One report delivery as the run page shows it. */
export interface DeliveryView {
  /** The run outcome reported: completed, failed, held or cancelled. */
  eventKind: string;
  channel: 'email' | 'webhook';
  /** Email address or endpoint URL. */
  recipient: string;
  status: 'pending' | 'delivered' | 'failed';
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
      status: DeliveryView['status'];
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
