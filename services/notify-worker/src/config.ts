import { z } from 'zod';
import { envSchemas, loadConfig as load, port } from '@usersync/platform';

const int = (min: number, def: number) => z.coerce.number().int().min(min).default(def);

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.log.shape,
  SMTP_URL: z
    .string()
    .refine((v) => URL.canParse(v), 'must be an smtp:// or smtps:// URL')
    .default('smtp://127.0.0.1:2525'),
  /** Sender of report emails; default `usersync <usersync@<host>>`. */
  REPORT_FROM: z.string().optional(),
  PUBLIC_URL: z.url().default('http://localhost:8080'),
  /** Host named in subjects and webhooks; default PUBLIC_URL's hostname (HOSTNAME is a container id in k8s). */
  REPORT_HOSTNAME: z.string().optional(),
  /** The full log is attached to the email when it is at most this many bytes. */
  REPORT_ATTACH_MAX_BYTES: int(0, 1024 * 1024),
  /** HMAC-SHA256 key for X-Usersync-Signature; without it webhooks are not sent (recorded as failed). */
  WEBHOOK_SECRET: z.string().optional(),
  WEBHOOK_TIMEOUT_MS: int(100, 10_000),
  /** POSTs per delivery of an event (in-process retries with backoff). */
  WEBHOOK_ATTEMPTS_PER_DELIVERY: int(1, 3),
  /** POSTs in total before the webhook is recorded as failed. */
  WEBHOOK_MAX_ATTEMPTS: int(1, 9),
  WEBHOOK_RETRY_BASE_MS: int(0, 500),
  /** Deliveries of one event (consumer max_deliver); pending emails are failed on the last one. */
  NOTIFY_MAX_DELIVER: int(2, 50),
  /** Redelivery backoff after a transient failure: base doubling up to max. */
  NOTIFY_BACKOFF_BASE_MS: int(0, 2_000),
  NOTIFY_BACKOFF_MAX_MS: int(0, 300_000),
  /**
   * Subject line: `outcome` says what happened (`Held: would block 200 users — usersync <host>`);
   * `haplo` keeps Haplo's `User feed report / <error delta> / <host>` for filters built on it.
   */
  NOTIFY_SUBJECT_STYLE: z.enum(['outcome', 'haplo']).default('outcome'),
  /** LookupService (host:port) for the blocked users' departments; unset or empty: usernames without departments. */
  LOOKUP_SERVICE_ADDR: z.string().optional(),
  /** Deadline of one LookupUser call: a slow lookup delays a report by at most this. */
  LOOKUP_TIMEOUT_MS: int(100, 2_000),
  /** Remind the report addresses of a run held this many hours (fractions allowed); 0: no reminders. */
  NOTIFY_HELD_REMINDER_HOURS: z.coerce.number().min(0).default(24),
  /** How often the reminder task looks for runs held too long. */
  NOTIFY_REMINDER_CHECK_MS: int(100, 300_000),
  /** Alarm (email, webhook, metric) when no file has been uploaded for this many hours; 0: off. */
  NOTIFY_ALARM_NO_UPLOAD_HOURS: z.coerce.number().min(0).default(0),
  /** Alarm when no sync run has completed for this many hours; 0: off. */
  NOTIFY_ALARM_NO_SUCCESS_HOURS: z.coerce.number().min(0).default(0),
  /** How often the alarm pass looks (silences and runs whose counts do not match their plan); 0: never. */
  NOTIFY_ALARM_CHECK_MS: int(0, 300_000),
  HEALTH_PORT: port(9102),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in notify-worker. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
