import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { findExecutable } from './binaries.js';
import { waitForPort, isListening } from './net.js';

/** The default admin connection for a machine's local PostgreSQL (trust auth on loopback). */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const POSTGRES_INSTALL_HINT =
  'PostgreSQL is not running on 127.0.0.1:5432 and is not installed: run `apt-get install -y postgresql` or set DATABASE_URL';

/**
 * Makes sure a PostgreSQL answers at url. When url is the machine's standard local server and it
 * is down, starts the Debian cluster with pg_ctlcluster (how these machines run it); otherwise
 * fails with what to do.
 */
export async function ensurePostgres(url: string, log: (line: string) => void = () => {}): Promise<void> {
  const { hostname, port } = new URL(url);
  const p = Number(port || 5432);
  if (await isListening(hostname, p)) return;
  const local = (hostname === '127.0.0.1' || hostname === 'localhost') && p === 5432;
  const ctl = findExecutable('pg_ctlcluster', ['/usr/bin']);
  if (!local || !ctl) throw new Error(local ? POSTGRES_INSTALL_HINT : `PostgreSQL at ${hostname}:${p} does not answer`);
  const versions = readdirSync('/etc/postgresql');
  if (versions.length === 0) throw new Error(POSTGRES_INSTALL_HINT);
  log(`starting PostgreSQL ${versions[0]} with pg_ctlcluster`);
  execFileSync(ctl, ['--skip-systemctl-redirect', versions[0]!, 'main', 'start'], { stdio: 'inherit' });
  await waitForPort(hostname, p, 30_000, 'PostgreSQL');
}

/** Runs one statement on a short-lived connection. */
async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const SAFE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Creates a database (name must be a plain identifier) and returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name: ${name}`);
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates the database if it does not exist yet (local stack: one persistent database). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database, disconnecting whoever is still on it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name: ${name}`);
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export { findExecutable };
