/**
 * The pipeline bench's helpers: service processes, the upload script's calls, and what the bench reads
 * of a process (CPU, peak RSS, the worker's timings). The floor is in floor.ts, the store in bench-store.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openAsBlob, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { findExecutable } from '@usersync/devstack';

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

/** Runs curl and resolves with its output; the HTTP status is the last line (`-w`). */
function curl(args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '-w', '\n%{http_code}', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`curl exited ${code}`));
      const nl = out.lastIndexOf('\n');
      resolve({ status: Number(out.slice(nl + 1)), body: out.slice(0, nl) });
    });
  });
}

/**
 * The upload script's two calls, with the API key as HTTP Basic password (user `haplo`, as Haplo's script).
 * Files go up with curl (`-F file=@…`, as the documented script does) when it is installed: undici's
 * FormData streaming took more CPU than the gateway on the bench's two cores. Otherwise with fetch.
 */
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
      if (findExecutable('curl')) {
        const filename = name === '_control' ? '_control.json' : `${name}.json`;
        const res = await curl([
          '-X',
          'POST',
          '--user',
          `haplo:${key}`,
          '-F',
          `name=${name}`,
          '-F',
          `file=@${path};filename=${filename}`,
          `${base}/api/user-sync/upload-file`,
        ]);
        if (res.status !== 200) throw new Error(`upload-file: ${res.status} ${res.body}`);
        return;
      }
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

/** CPU time (user + system) of a /proc stat file, in ms (clock ticks are 100 Hz on Linux). */
function statCpuMs(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time (user + system) the process has used so far, all its threads, in ms. */
export const cpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);

/** CPU time of the process's main thread (JavaScript; V8's collector helpers and libuv's pool are apart). */
export const mainThreadCpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/task/${pid}/stat`);

/**
 * A meter of the CPU time of every PostgreSQL server process on this machine (the bench's server runs here):
 * backends, WAL writer, checkpointer. It samples /proc every 200 ms and adds each process's increments, so a
 * backend that exits between two readings of the meter (a pool closing an idle connection) still counts, to
 * within its last 200 ms.
 */
export function postgresCpuMeter(): { ms(): number; stop(): void } {
  const last = new Map<string, number>();
  let total = 0;
  const sample = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8') !== 'postgres\n') continue;
        const now = statCpuMs(`/proc/${pid}/stat`);
        total += now - (last.get(pid) ?? now);
        last.set(pid, now);
      } catch {
        last.delete(pid); // exited while being read
      }
    }
  };
  sample();
  const timer = setInterval(sample, 200).unref();
  return {
    ms: () => (sample(), total),
    stop: () => clearInterval(timer),
  };
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
