/**
 * Remembers the SCIM source's last request for the portal without costing the SCIM API a write per request:
 * requests are noted in memory and written at most once per `intervalMs` (one UPDATE of scim.source_state),
 * the first of a quiet spell within `intervalMs`. A failed write is logged and forgotten; the next request
 * writes again. stop() writes what is still pending.
 */
import type { Logger } from 'pino';
import type { Queryable } from '@usersync/run-state';
import { saveScimRequests, type ScimRequestRecord } from '../store/scim-requests.repository.js';

export interface ScimRequestRecorder {
  /** Notes a request as it was answered (cheap: no I/O). */
  note(request: ScimRequestRecord): void;
  /** Writes what is pending now (tests; stop). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Statuses from this one up count as failed requests. */
const FAILED_FROM = 400;

export function createScimRequestRecorder(
  deps: { db: Queryable; log: Logger },
  intervalMs = 1_000,
): ScimRequestRecorder {
  let latest: ScimRequestRecord | null = null;
  let failed: ScimRequestRecord | null = null;
  let lastWriteAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (latest === null && failed === null) return writing;
    const [l, f] = [latest, failed];
    latest = failed = null;
    lastWriteAt = Date.now();
    writing = writing
      .then(() => saveScimRequests(deps.db, l, f))
      .catch((err: unknown) => deps.log.warn({ err }, 'SCIM last request could not be recorded'));
    return writing;
  };

  return {
    note(request) {
      if (stopped) return;
      latest = request;
      if (request.status >= FAILED_FROM) failed = request;
      if (timer) return;
      const wait = Math.max(0, lastWriteAt + intervalMs - Date.now());
      timer = setTimeout(() => void flush(), wait);
      timer.unref();
    },
    flush,
    async stop() {
      stopped = true;
      await flush();
    },
  };
}
