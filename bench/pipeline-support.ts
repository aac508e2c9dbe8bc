/**
 * The pipeline bench's helpers: service processes, the upload script's calls, the floors measured
 * beside the pipeline, and what the bench reads of a process (CPU, peak RSS, the worker's timings).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { readRecords } from '@usersync/control-file';
import { benchRecord } from './feed-generator.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export function startService(
  name: string,
  dir: string,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): ChildProcess {
  const child = spawn(
    process.execPath,
    [...nodeFlags, '--conditions=source', '--import', 'tsx', `${dir}/src/main.ts`],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (name !== 'apply-worker') child.stdout!.resume();
  return child;
}

/** The upload script's two calls, with the API key as HTTP Basic password (user `haplo`, as Haplo's script). */
export function uploader(base: string, key: string) {
  const auth = `Basic ${Buffer.from(`haplo:${key}`).toString('base64')}`;
  const post = async (path: string, body?: FormData): Promise<string> => {
    const res = await fetch(`${base}/api/user-sync/${path}`, {
      method: 'POST',
      headers: { authorization: auth },
      body,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return text.trim();
  };
  return {
    async file(name: string, path: string): Promise<void> {
      const form = new FormData();
      form.set('name', name);
      // A file-backed Blob: undici streams it from disk, the bench never holds the feed in memory.
      form.set('file', await openAsBlob(path), name === '_control' ? '_control.json' : `${name}.json`);
      await post('upload-file', form);
    },
    startSync: () => post('start-sync'),
  };
}

export async function newestRunId(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
  return Number(rows[0]!.id);
}

/** Floor 1: read the file once, hashing it and parsing every record (no transform, no database). */
export async function parseAndHashFloor(path: string, users: number): Promise<number> {
  const started = Date.now();
  const hash = createHash('sha256');
  const stream = createReadStream(path);
  stream.on('data', (c) => hash.update(c as Buffer));
  let n = 0;
  for await (const record of readRecords('people', { read: 'json' }, stream)) if (record) n++;
  hash.digest('hex');
  if (n !== users) throw new Error(`parsed ${n} records`);
  return Date.now() - started;
}

/** Floor 2: a plain COPY of the same rows (user columns plus raw record) into an unindexed table. */
export async function copyFloor(pool: pg.Pool, users: number): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(
      'CREATE TEMP TABLE floor (username text, title text, first text, last text, email text, tags jsonb, profile jsonb, record jsonb)',
    );
    const started = Date.now();
    const rows = async function* () {
      for (let n = 0; n < users; n++) {
        const r = benchRecord(n);
        const json = JSON.stringify(r).replace(/\\/g, '\\\\');
        yield `${r.ID!.toLowerCase()}\t${r.TITLE}\t${r.FIRST}\t${r.LAST}\t${r.EMAIL}\t{"department":"${r.DEPT}"}\t${json}\t${json}\n`;
      }
    };
    await pipeline(Readable.from(rows()), client.query(copyFrom('COPY floor FROM STDIN')));
    return Date.now() - started;
  } finally {
    client.release();
  }
}

/** CPU time (user + system) the process has used so far, in ms (clock ticks are 100 Hz on Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Collects the worker's 'run processed' log lines (phase timings per run, each taken once); other lines are echoed. */
export function watchTimings(child: ChildProcess): { next(runId: number): Promise<Record<string, number>> } {
  const seen = new Map<number, Record<string, number>>();
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let entry: { msg?: string; runId?: number; timings?: Record<string, number>; level?: number } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // not a log line
      }
      if (entry.msg === 'run processed' && entry.runId !== undefined)
        seen.set(Number(entry.runId), entry.timings ?? {});
      else if ((entry.level ?? 40) >= 40 || process.env.WORKER_LOG_LEVEL) process.stdout.write(`${line}\n`);
    }
  });
  return {
    async next(runId) {
      await until(async () => seen.has(runId), 10_000).catch(() => undefined);
      // Taken once: a held run is processed twice (planned, then applied), each with its own timings.
      const timings = seen.get(runId) ?? {};
      seen.delete(runId);
      return timings;
    },
  };
}

export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch((err: Error) => (err.message.startsWith('run ') ? Promise.reject(err) : false)))) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
