import { hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReaderError } from '../../errors.js';
import { parseControlFile } from '../../validation/parse-control-file.js';
import { compile, type FileSource, type FileSources } from '../../transform/batch.js';
import type { RecordOutcome } from '../../transform/record-outcome.js';
import { desiredStateParts, rawRecordJson } from '../../transform/desired-state.js';
import { createParallelBatch, runSegments, type SegmentPool } from './parallel-batch.js';
import { transformSegment, type SegmentRequest } from './protocol.js';
import { chunked, controlJson, randomCase, rng, type Case } from './parallel-batch.fixture.js';

// The sequential batch is the reference: the parallel batch must give the same outcomes, in the same
// order, and the same reader errors, whatever the files hold and however their bytes arrive.

const sources =
  (c: Case) =>
  (name: string): FileSource | undefined => {
    const chunks = c.files[name];
    return chunks ? () => Readable.from(chunks) : undefined;
  };

interface Run {
  outcomes: RecordOutcome[];
  error?: unknown;
}

async function collect(batches: AsyncIterable<RecordOutcome[]>): Promise<Run> {
  const outcomes: RecordOutcome[] = [];
  try {
    for await (const batch of batches) outcomes.push(...batch);
  } catch (error) {
    return { outcomes, error };
  }
  return { outcomes };
}

const plain = (o: RecordOutcome) => ({
  recordNumber: o.recordNumber,
  fileName: o.fileName,
  record: o.record,
  status: o.status,
  username: o.username,
  desired: o.desired,
  complete: o.complete,
  errors: o.errors,
  notes: o.notes,
});

const errorFacts = (e: unknown) =>
  e instanceof ReaderError
    ? { type: 'ReaderError', message: e.message, fileName: e.fileName, location: e.location }
    : { type: String((e as Error)?.constructor?.name), message: (e as Error)?.message };

/** Parallel output == sequential output; before a reader error, either may stop a few records earlier. */
function expectSame(seq: Run, par: Run, digests: boolean) {
  expect(par.error === undefined).toBe(seq.error === undefined);
  if (seq.error !== undefined) {
    // Both stop at a chunk or segment boundary before the bad record, and those boundaries differ.
    expect(errorFacts(par.error)).toEqual(errorFacts(seq.error));
  } else expect(par.outcomes.length).toBe(seq.outcomes.length);
  par.outcomes.slice(0, seq.outcomes.length).forEach((p, i) => {
    const s = seq.outcomes[i];
    expect(plain(p)).toEqual(plain(s));
    expect(p.recordJson).toBe(rawRecordJson(s.record));
    if (digests && s.desired) {
      expect(p.parts).toEqual(desiredStateParts(s.desired));
      expect(p.fields).toEqual({
        nameFirst: s.desired.nameFirst,
        nameLast: s.desired.nameLast,
        email: s.desired.email,
        ...(s.desired.title === undefined ? {} : { title: s.desired.title }),
      });
    }
    if (digests && (s.status === 'ok' || s.status === 'incomplete')) {
      expect(p.recordSha1).toBe(hash('sha1', rawRecordJson(s.record), 'hex'));
    }
  });
}

/** Transforms on this thread, but through structured clones, as messages to workers are. */
function inlinePool(c: Case, digests: boolean): SegmentPool {
  const transformer = compile(c.controlFile).transformer;
  return {
    run: (request: SegmentRequest) =>
      Promise.resolve(structuredClone(transformSegment(transformer, structuredClone(request), digests))),
    close: () => Promise.resolve(),
  };
}

describe('createParallelBatch', () => {
  it('gives the sequential outcomes and errors on 400 random runs (segment logic, in-process)', async () => {
    let errors = 0;
    let records = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const c = randomCase(seed);
      const digests = seed % 2 === 0;
      const seq = await collect(compile(c.controlFile).recordBatches(sources(c)));
      const options = { threads: 2, digests, segmentChars: 1 + (seed % 7) * 150 };
      const transformer = compile(c.controlFile).transformer;
      const par = await collect(runSegments(c.controlFile, transformer, options, sources(c), inlinePool(c, digests)));
      expectSame(seq, par, digests);
      if (seq.error) errors++;
      records += seq.outcomes.length;
    }
    // The generator must exercise both paths.
    expect(errors).toBeGreaterThan(5);
    expect(records).toBeGreaterThan(10_000);
  });

  it('gives the sequential outcomes on worker threads, with and without digests', async () => {
    for (const seed of [7, 8, 21, 22, 33]) {
      const c = randomCase(seed);
      const digests = seed % 2 === 0;
      const seq = await collect(compile(c.controlFile).recordBatches(sources(c)));
      const batch = createParallelBatch(c.controlFile, { threads: 2, digests, segmentChars: 300 });
      expectSame(seq, await collect(batch.recordBatches(sources(c))), digests);
      const flat: RecordOutcome[] = [];
      let error: unknown;
      try {
        for await (const o of batch.records(sources(c))) flat.push(o);
      } catch (err) {
        error = err;
      }
      expect(errorFacts(error)).toEqual(errorFacts(seq.error));
      expect(flat.map(plain)).toEqual(seq.outcomes.slice(0, flat.length).map(plain));
    }
  });

  it('reports a corrupt JSON file as the sequential reader does, from worker threads', async () => {
    const parsed = parseControlFile(JSON.stringify(controlJson(rng(1), ['json'])));
    if (!parsed.ok) throw new Error('bad control file');
    const good = Array.from({ length: 500 }, (_, i) =>
      JSON.stringify({ ID: `u${i}`, FIRST: 'a', LAST: 'b', EMAIL: 'e' }),
    );
    const text = `[\n${good.slice(0, 400).join(',\n')},\n{"ID": "bad" "x"},\n${good.slice(400).join(',\n')}\n]`;
    const c: Case = { controlFile: parsed.controlFile, files: { f0: chunked(rng(5), Buffer.from(text)) } };
    const seq = await collect(compile(c.controlFile).recordBatches(sources(c)));
    const par = await collect(createParallelBatch(c.controlFile, { segmentChars: 2000 }).recordBatches(sources(c)));
    expect(seq.error).toBeInstanceOf(ReaderError);
    expect((seq.error as ReaderError).location).toMatchObject({ line: 402, recordNumber: 400 });
    expectSame(seq, par, true);
  });

  it('refuses a control file without a username rule before starting threads', () => {
    const json = controlJson(rng(3), ['json']);
    json.instructions = json.instructions.slice(1);
    const parsed = parseControlFile(JSON.stringify(json));
    if (!parsed.ok) throw new Error('bad control file');
    expect(() => createParallelBatch(parsed.controlFile)).toThrow(/username/);
  });

  it('reports a missing file in order, after the records of the files before it', async () => {
    const c = randomCase(11);
    const names = c.controlFile.fileNames;
    const without: FileSources = (name) => (name === names[names.length - 1] ? undefined : sources(c)(name));
    const seq = await collect(compile(c.controlFile).recordBatches(without));
    const par = await collect(createParallelBatch(c.controlFile, { segmentChars: 500 }).recordBatches(without));
    expect(errorFacts(par.error)).toEqual(errorFacts(seq.error));
    expect(par.outcomes.map(plain)).toEqual(seq.outcomes.slice(0, par.outcomes.length).map(plain));
  });
});
