/**
 * The batch of `compile`, with the work spread over worker threads: this thread reads the files and
 * finds record boundaries, workers parse and transform runs of records (JSON.parse, instructions, desired
 * state, digests), and this thread merges their results in order and applies the rules that need the
 * whole run (record numbers across files, duplicate usernames). Same outcomes, same order, same errors
 * as the sequential batch; the sequential one stays the reference (parallel-batch.test.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readRecordSegments, replayRun, SEGMENT_CHARS, type RecordSegment } from './segments.js';
import type { ControlFile } from '../../validation/validate-control.js';
import { compile, openFile, type Batch, type FileSources } from '../../transform/batch.js';
import type { RecordOutcome } from '../../transform/record-outcome.js';
import { outcomesOf, transformSegment, type SegmentRequest, type SegmentResponse } from './protocol.js';
import type { Transformer } from '../../transform/transformer.js';
import { UsernameIndex } from '../username-index.js';

export interface ParallelOptions {
  /**
   * Worker threads; default os.availableParallelism(), at least 2. 1 still helps: this thread reads, scans
   * and merges while the worker parses and transforms.
   */
  threads?: number;
  /**
   * Also compute, on the workers, `recordSha1` and `parts` (desiredStateParts) of each outcome: what the
   * apply worker stores. Default true.
   */
  digests?: boolean;
  /** JSON text per worker message (default 64 Ki characters); small values are for tests. */
  segmentChars?: number;
}

/** Like `compile`, but `records`/`recordBatches` transform on worker threads (started per call, ended after). */
export function createParallelBatch(controlFile: ControlFile, options: ParallelOptions = {}): Batch {
  const sequential = compile(controlFile); // validates (NO_USERNAME_RULE etc.) before any thread starts
  const threads =
    options.threads === undefined ? Math.max(2, availableParallelism()) : Math.max(1, Math.floor(options.threads));
  const resolved = { threads, digests: options.digests ?? true, segmentChars: options.segmentChars ?? SEGMENT_CHARS };
  const recordBatches = (files: FileSources) => runParallel(controlFile, sequential.transformer, resolved, files);
  return {
    controlFile,
    transformer: sequential.transformer,
    recordBatches,
    records: async function* (files) {
      for await (const outcomes of recordBatches(files)) yield* outcomes;
    },
  };
}

interface Pending {
  segment: RecordSegment;
  fileName: string;
  base: number;
  result?: Promise<SegmentResponse>;
  /** A reader error: thrown when its turn comes, after every earlier record. */
  error?: unknown;
}

/** Where segments are transformed: worker threads, or (tests) this thread with cloned messages. */
export interface SegmentPool {
  run(request: SegmentRequest): Promise<SegmentResponse>;
  close(): Promise<void>;
}

function runParallel(
  controlFile: ControlFile,
  transformer: Transformer,
  options: Required<ParallelOptions>,
  files: FileSources,
): AsyncGenerator<RecordOutcome[]> {
  return runSegments(controlFile, transformer, options, files, new WorkerPool(controlFile, options));
}

/** The parallel batch's loop over any SegmentPool (exported for tests; `createParallelBatch` uses threads). */
export async function* runSegments(
  controlFile: ControlFile,
  transformer: Transformer,
  options: Required<ParallelOptions>,
  files: FileSources,
  pool: SegmentPool,
): AsyncGenerator<RecordOutcome[]> {
  const { threads, digests } = options;
  const seen = new UsernameIndex();
  const queue: Pending[] = [];
  const maxQueued = threads * 3;
  try {
    const settle = (p: Pending): RecordOutcome[] | Promise<RecordOutcome[]> =>
      p.error !== undefined ? Promise.reject(p.error) : merge(p, seen, transformer, digests);
    for await (const pending of segments(controlFile, files, options.segmentChars)) {
      if (pending.error === undefined) pending.result = pool.run(requestOf(pending));
      queue.push(pending);
      while (queue.length >= maxQueued) {
        const outcomes = await settle(queue.shift() as Pending);
        if (outcomes.length > 0) yield outcomes;
      }
    }
    while (queue.length > 0) {
      const outcomes = await settle(queue.shift() as Pending);
      if (outcomes.length > 0) yield outcomes;
    }
  } finally {
    await pool.close();
  }
}

/** Every segment of every file, in order, with its first record number; a reader error ends the stream. */
async function* segments(controlFile: ControlFile, files: FileSources, segmentChars: number): AsyncGenerator<Pending> {
  let recordNumber = 0;
  for (const fileName of controlFile.fileNames) {
    try {
      const source = await openFile(files, fileName);
      for await (const segment of readRecordSegments(fileName, controlFile.files[fileName], source, segmentChars)) {
        yield { segment, fileName, base: recordNumber };
        recordNumber += segment.records.length + (segment.run?.count ?? 0);
      }
    } catch (error) {
      yield { segment: { records: [] }, fileName, base: recordNumber, error };
      return;
    }
  }
}

async function merge(
  p: Pending,
  seen: UsernameIndex,
  transformer: Transformer,
  digests: boolean,
): Promise<RecordOutcome[]> {
  const response = await (p.result as Promise<SegmentResponse>);
  if (response.crash !== undefined) throw new Error(`transform worker failed: ${response.crash}`);
  if (response.badRun && p.segment.run) {
    // Throws the sequential reader's ReaderError; if the replay parses after all, transform here.
    const records = p.segment.records.concat(replayRun(p.fileName, p.segment.run));
    const local = transformSegment(transformer, { id: -1, base: p.base, records }, digests);
    return merge({ ...p, segment: { records }, result: Promise.resolve(local) }, seen, transformer, digests);
  }
  return outcomesOf(response, p.base, p.fileName, seen);
}

let nextId = 0;

function requestOf(p: Pending): SegmentRequest {
  const request: SegmentRequest = { id: nextId++, base: p.base, records: p.segment.records };
  if (p.segment.run) {
    request.text = p.segment.run.text;
    request.count = p.segment.run.count;
  }
  return request;
}

/** Worker threads fed round-robin; each answers in order, so a FIFO of resolvers per worker suffices. */
class WorkerPool implements SegmentPool {
  private readonly workers: Worker[] = [];
  private readonly waiting: Array<Array<(r: SegmentResponse) => void>> = [];
  private failure: Error | undefined;
  private next = 0;
  private closing = false;

  constructor(controlFile: ControlFile, options: Required<ParallelOptions>) {
    for (let i = 0; i < options.threads; i++) {
      const worker = startWorker({ controlFile, digests: options.digests });
      const queue: Array<(r: SegmentResponse) => void> = [];
      worker.on('message', (r: SegmentResponse) => queue.shift()?.(r));
      const fail = (err: Error) => {
        this.failure ??= err;
        for (const resolve of queue.splice(0)) resolve({ id: -1, crash: err.stack ?? err.message });
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) fail(new Error(`transform worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.waiting.push(queue);
    }
  }

  run(request: SegmentRequest): Promise<SegmentResponse> {
    if (this.failure) return Promise.resolve({ id: -1, crash: this.failure.message });
    const i = this.next;
    this.next = (i + 1) % this.workers.length;
    return new Promise((resolve) => {
      this.waiting[i].push(resolve);
      this.workers[i].postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The worker module beside this one: .js from dist; under tsx or vitest (a .ts source), Node 20 workers do
 * not inherit tsx's loader hooks, so a small eval'd bootstrap registers tsx in the worker first.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./transform-worker.js', import.meta.url), { workerData });
  const entry = new URL('./transform-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData });
}
