/**
 * Runs fuzz cases against a live gateway: bounded concurrency, every answer recorded, failures
 * (5xx, or no answer at all) written to the corpus folder so they are replayed from then on.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sendRaw, type RawResponse } from './raw-http.js';
import type { FuzzCase } from './fuzz-cases.js';

export const CORPUS_DIR = fileURLToPath(new URL('../fuzz-corpus/', import.meta.url));

export interface CorpusCase extends FuzzCase {
  file: string;
  /** The status class the file name promises: `4xx` (refused) or `2xx` (accepted). */
  expect: '2xx' | '4xx';
}

export interface Outcome {
  fuzz: FuzzCase;
  res: RawResponse;
}

/** Every case in the corpus folder: `<what>.<4xx|2xx>.http`, raw bytes with `{{AUTH}}` for the key. */
export function loadCorpus(): CorpusCase[] {
  if (!existsSync(CORPUS_DIR)) return [];
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.http'))
    .sort()
    .map((file) => {
      const expect = /\.(2xx|4xx)\.http$/.exec(file)?.[1] as '2xx' | '4xx' | undefined;
      if (!expect) throw new Error(`fuzz corpus file ${file}: name must end in .4xx.http or .2xx.http`);
      return { file, label: file, expect, bytes: readFileSync(CORPUS_DIR + file) };
    });
}

/** Keeps a failing case in the corpus (commit the file with the fix). */
export function saveFailure(fuzz: FuzzCase): string {
  mkdirSync(CORPUS_DIR, { recursive: true });
  const slug =
    fuzz.label
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'case';
  const file = `found-${slug}-${createHash('sha256').update(fuzz.bytes).digest('hex').slice(0, 10)}.4xx.http`;
  writeFileSync(CORPUS_DIR + file, fuzz.bytes);
  return file;
}

/** Sends every case (at most `concurrency` at once) with the real key in place of `{{AUTH}}`. */
export async function runCases(
  port: number,
  cases: readonly FuzzCase[],
  auth: string,
  concurrency = 8,
  // Long enough that a busy 2-core CI machine answering slowly is not taken for a hang (a real hang,
  // a body that never comes, is answered 408 after the test's short HTTP_BODY_TIMEOUT_MS, or never).
  timeoutMs = 20_000,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const fuzz = cases[i]!;
      const bytes = Buffer.from(fuzz.bytes.toString('latin1').replace('{{AUTH}}', auth), 'latin1');
      outcomes[i] = { fuzz, res: await sendRaw(port, bytes, { timeoutMs }) };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

/** Established TCP connections whose local port is `port` (the server's side), from /proc. */
export function openConnections(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] local address:port, cols[3] state (01 = ESTABLISHED).
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '01') n++;
    }
  }
  return n;
}

/** A one-line summary of how the answers split by status, for the failure message and the log. */
export function statusHistogram(outcomes: readonly Outcome[]): string {
  const counts = new Map<number, number>();
  for (const o of outcomes) counts.set(o.res.status, (counts.get(o.res.status) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
}

/** One example answer per label and status (FUZZ_VERBOSE=1), to read what clients are told. */
export function byLabel(outcomes: readonly Outcome[]): string {
  const seen = new Map<string, string>();
  for (const o of outcomes) {
    const key = `${o.fuzz.label.slice(0, 50)} → ${o.res.status}`;
    if (!seen.has(key)) seen.set(key, o.res.body.replace(/\s+/g, ' ').slice(0, 160));
  }
  return [...seen.entries()]
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}
