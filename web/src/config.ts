import { z } from 'zod';
import { bool, envSchemas, loadConfig as load, port } from '@usersync/platform';
import { canonicalTimeZone, machineTimeZone } from './viewmodels/times.js';

const minutes = (defaultValue: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(defaultValue);
const count = (defaultValue: number) => z.coerce.number().int().min(1).max(10_000).default(defaultValue);
const optional = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.log.shape,
  HTTP_PORT: port(8080),
  PUBLIC_URL: z.url().default('http://localhost:8080'),
  /** The ingest gateway as identity providers and upload scripts reach it: the Sources page shows `<it>/scim/v2`. */
  GATEWAY_PUBLIC_URL: z
    .url()
    .default('http://localhost:8081')
    .transform((v) => v.replace(/\/+$/, '')),
  RUN_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50051'),
  KEY_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50052'),
  LOOKUP_SERVICE_ADDR: z.string().min(1).default('127.0.0.1:50053'),
  /** First-start admin (DESIGN §9): used only while no admin account exists. */
  USERSYNC_ADMIN_EMAIL: optional(),
  USERSYNC_ADMIN_PASSWORD: optional(),
  /** When set and a password is generated, the credentials are also written here (mode 0600). */
  USERSYNC_ADMIN_CREDENTIALS_FILE: optional(),
  /** A session ends after this long without a request. */
  SESSION_IDLE_MINUTES: minutes(30),
  /** A session ends this long after login, however active. */
  SESSION_ABSOLUTE_MINUTES: minutes(12 * 60),
  /** Failed logins allowed per account, and per client IP, within LOGIN_WINDOW_MINUTES. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: count(5),
  LOGIN_MAX_FAILURES_PER_IP: count(20),
  LOGIN_WINDOW_MINUTES: minutes(15),
  /** Set when a reverse proxy in front of web sets X-Forwarded-For (the client IP is then taken from it). */
  TRUST_PROXY: bool(false),
  /** IANA zone the portal shows dates in (the browser then shows its own); the machine's zone by default. */
  PORTAL_TIME_ZONE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return machineTimeZone();
      const zone = canonicalTimeZone(v.trim());
      if (!zone) ctx.addIssue({ code: 'custom', message: 'not an IANA time zone (e.g. Europe/London, UTC)' });
      return zone ?? 'UTC';
    }),
});

export type Config = Readonly<z.infer<typeof Env>>;

/** The only reader of process.env in web. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return load(Env, env);
}
