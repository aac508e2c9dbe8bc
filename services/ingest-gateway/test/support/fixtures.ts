/** Control files, data files and HTTP helpers shared by the gateway's integration tests. */
import { transitionRun } from '@usersync/run-state';
import type { GatewayEnv } from './gateway-env.js';

/** A valid control file expecting the given data files (plus `_control`). */
export function controlFile(files: string[] = ['users'], extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      dataImportControlFileVersion: 0,
      model: 'haplo:user-sync',
      files: Object.fromEntries(files.map((f) => [f, { read: 'json' }])),
      instructions: [
        { source: 'username', destination: 'user', name: 'username' },
        { source: 'first', destination: 'user', name: 'nameFirst' },
        { source: 'last', destination: 'user', name: 'nameLast' },
        { source: 'email', destination: 'user', name: 'email' },
      ],
      ...extra,
    },
    null,
    2,
  );
}

/** A JSON data file of `n` users (about 80 bytes each). */
export function usersFile(n: number, seed = 'u'): string {
  const users = Array.from({ length: n }, (_, i) => ({
    username: `${seed}${i}`,
    first: 'First',
    last: `Last${i}`,
    email: `${seed}${i}@example.org`,
  }));
  return JSON.stringify(users);
}

export interface UploadOptions {
  /** Put the name in the query string instead of the form. */
  nameInQuery?: boolean;
  /** Send the file part before the name field. */
  fileFirst?: boolean;
  filename?: string;
  auth?: string | null;
  prefix?: string;
  rdr?: string;
}

/** POSTs a multipart upload with fetch, the fields in the order a test asks for. */
export async function upload(env: GatewayEnv, name: string, content: string | Buffer, opts: UploadOptions = {}) {
  const form = new FormData();
  const file = new Blob([content]);
  const filename = opts.filename ?? `${name}.json`;
  if (opts.fileFirst) form.append('file', file, filename);
  if (!opts.nameInQuery) form.append('name', name);
  if (opts.rdr) form.append('rdr', opts.rdr);
  if (!opts.fileFirst) form.append('file', file, filename);
  const query = opts.nameInQuery ? `?name=${encodeURIComponent(name)}` : '';
  const headers: Record<string, string> = {};
  const auth = opts.auth === undefined ? env.authHeader : opts.auth;
  if (auth) headers.authorization = auth;
  const res = await fetch(`${env.baseUrl}${opts.prefix ?? '/api/user-sync'}/upload-file${query}`, {
    method: 'POST',
    body: form,
    headers,
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** POSTs start-sync in one of its three forms. */
export async function startSync(env: GatewayEnv, format: '' | '/json' | '/xml' = '', prefix = '/api/user-sync') {
  const res = await fetch(`${env.baseUrl}${prefix}/start-sync${format}`, {
    method: 'POST',
    headers: { authorization: env.authHeader },
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** GETs a run's status JSON. */
export async function runStatus(env: GatewayEnv, id: number) {
  const res = await fetch(`${env.baseUrl}/api/user-sync/runs/${id}`, { headers: { authorization: env.authHeader } });
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : await res.text(),
  };
}

/** Cancels whatever run is open, so a test starts from a clean slate. */
export async function cancelOpenRuns(env: GatewayEnv): Promise<void> {
  await env.pool.query(
    `UPDATE runs.run SET status = 'cancelled', finished_at = now() WHERE status IN ('uploading', 'ready', 'held', 'running')`,
  );
}

/** Finishes a running run as the apply-worker would (the safety check compares with it). */
export async function completeRun(env: GatewayEnv, id: number): Promise<void> {
  await transitionRun(env.pool, id, 'complete', { counts: { created: 1 } });
}

/** The outbox rows of `runs`, oldest first. */
export async function outboxSubjects(env: GatewayEnv): Promise<string[]> {
  const { rows } = await env.pool.query<{ subject: string }>('SELECT subject FROM runs.outbox ORDER BY id');
  return rows.map((r) => r.subject);
}
