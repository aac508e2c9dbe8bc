/**
 * A OneRoster delta bundle applied to the snapshot it follows (OneRoster CSV Binding 1.2.1 §2.1, §4.2): the
 * result is a bulk bundle, so a run reads it like any other and infers leavers from absence as for a bulk
 * export. Per data file, by the delta's manifest:
 *   - `delta`: the base's rows, each replaced by the delta's row of the same sourcedId; a delta row with
 *     `status=tobedeleted` removes it; delta rows for new sourcedIds are added after the base's rows;
 *   - `bulk`: the delta's file replaces the base's;
 *   - `absent`: the base's file is kept as it was (nothing changed).
 * Columns are matched by name (the result has the base's columns, then any new ones of the delta's). Only
 * the delta's rows are held in memory: the base streams through, so a million-user snapshot merges in a
 * bounded footprint. The zip is deterministic (fixed times), so the same two inputs give the same digest.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import yazl from 'yazl';
import type { ByteSource } from '../decode.js';
import { openBundle, type Bundle } from './bundle.js';
import { readManifest, type Manifest } from './manifest.js';
import type { TableName } from './tables.js';

const DATA_FILES: readonly TableName[] = ['orgs.csv', 'users.csv', 'roles.csv'];
const FIXED_TIME = new Date('2000-01-01T00:00:00Z');
const ROWS_PER_CHUNK = 2_000;

/** What the merge did to each data file. */
export interface DeltaMergeSummary {
  files: Record<string, { mode: string; kept: number; replaced: number; added: number; removed: number }>;
}

/** The base or the delta could not be merged (not a bundle, no manifest, no sourcedId column). */
export class DeltaMergeError extends Error {}

interface Table {
  header: string[];
  rows: AsyncGenerator<{ line: number; cells: string[] }>;
}

async function openTable(bundle: Bundle, name: string, which: string): Promise<Table | undefined> {
  if (!bundle.names.has(name)) return undefined;
  const rows = bundle.rows(name);
  const first = await rows.next();
  if (first.done) return { header: [], rows };
  const header = first.value.cells.map((c) => c.trim());
  if (!header.includes('sourcedId')) throw new DeltaMergeError(`${which} ${name} has no sourcedId column`);
  return { header, rows };
}

/** The delta's rows of one file by sourcedId (the delta is small: it is what changed). */
async function deltaRows(table: Table): Promise<Map<string, Record<string, string>>> {
  const byId = new Map<string, Record<string, string>>();
  for await (const { cells } of table.rows) {
    const row = Object.fromEntries(table.header.map((h, i) => [h, cells[i] ?? '']));
    if ((row.sourcedId ?? '').trim() !== '') byId.set(row.sourcedId!.trim(), row);
  }
  return byId;
}

/** The merged CSV of one `delta` file, in chunks of text. */
async function* mergedCsv(
  base: Table,
  delta: { header: string[]; byId: Map<string, Record<string, string>> },
  count: DeltaMergeSummary['files'][string],
  leavers: ReadonlySet<string>,
): AsyncGenerator<string> {
  const header = [...base.header, ...delta.header.filter((h) => !base.header.includes(h))];
  const line = (cells: string[]) => stringify([cells]);
  const fromDelta = (row: Record<string, string>) => header.map((h) => row[h] ?? '');
  yield line(header);
  const idAt = base.header.indexOf('sourcedId');
  // A removed user's roles go with it, whether or not the delta names them (a role must name a user).
  const userAt = base.header.indexOf('userSourcedId');
  const leaverRow = (userId: string | undefined) => userId !== undefined && leavers.has(userId.trim());
  const used = new Set<string>();
  let chunk: string[] = [];
  for await (const { cells } of base.rows) {
    const id = (cells[idAt] ?? '').trim();
    const change = delta.byId.get(id);
    if (userAt >= 0 && leaverRow(change ? change.userSourcedId : cells[userAt])) {
      if (change) used.add(id);
      count.removed++;
    } else if (!change) {
      chunk.push(line(header.map((_, i) => (i < base.header.length ? (cells[i] ?? '') : ''))));
      count.kept++;
    } else {
      used.add(id);
      if ((change.status ?? '').trim() === 'tobedeleted') count.removed++;
      else {
        chunk.push(line(fromDelta(change)));
        count.replaced++;
      }
    }
    if (chunk.length >= ROWS_PER_CHUNK) {
      yield chunk.join('');
      chunk = [];
    }
  }
  for (const [id, row] of delta.byId) {
    if (used.has(id) || (row.status ?? '').trim() === 'tobedeleted' || leaverRow(row.userSourcedId)) continue;
    chunk.push(line(fromDelta(row)));
    count.added++;
  }
  if (chunk.length) yield chunk.join('');
}

async function* wholeCsv(table: Table, count: { kept: number }): AsyncGenerator<string> {
  yield stringify([table.header]);
  for await (const { cells } of table.rows) {
    yield stringify([cells]);
    count.kept++;
  }
}

function manifestCsv(base: Manifest, present: ReadonlySet<string>): string {
  const rows: string[][] = [
    ['propertyName', 'value'],
    ['manifest.version', '1.0'],
    ['oneroster.version', '1.2'],
  ];
  const files = new Set([...base.modes.keys(), ...DATA_FILES]);
  for (const file of [...files].sort()) {
    rows.push([`file.${file.replace(/\.csv$/, '')}`, present.has(file) ? 'bulk' : 'absent']);
  }
  return stringify(rows);
}

async function manifestOf(bundle: Bundle, which: string): Promise<Manifest> {
  const problems: string[] = [];
  const manifest = await readManifest(bundle, problems);
  if (!manifest || problems.length) throw new DeltaMergeError(`${which}: ${problems.join('; ')}`);
  return manifest;
}

/**
 * Merges `delta` onto `base` (the snapshot it follows); resolves to the merged bulk bundle's bytes as a
 * stream and what became of each file (complete once the stream has ended).
 */
export async function mergeOneRosterDelta(
  base: ByteSource,
  delta: ByteSource,
): Promise<{ bundle: Readable; summary: DeltaMergeSummary }> {
  const [b, d] = [await openBundle(base), await openBundle(delta)];
  const summary: DeltaMergeSummary = { files: {} };
  try {
    const [baseManifest, deltaManifest] = [await manifestOf(b, 'the base bundle'), await manifestOf(d, 'the delta')];
    if (baseManifest.modes.get('users.csv') === 'delta')
      throw new DeltaMergeError('the base bundle is itself a delta: a delta follows a bulk snapshot');
    const zip = new yazl.ZipFile();
    const present = new Set<string>();
    const entries: { name: string; text: () => AsyncGenerator<string> }[] = [];
    const leavers = new Set<string>();
    for (const file of DATA_FILES) {
      const mode = deltaManifest.modes.get(file) ?? 'absent';
      const count = { mode, kept: 0, replaced: 0, added: 0, removed: 0 };
      const baseTable =
        mode === 'bulk' || baseManifest.modes.get(file) === 'absent' ? undefined : await openTable(b, file, 'base');
      const deltaTable = mode === 'absent' ? undefined : await openTable(d, file, 'delta');
      if (mode === 'bulk' && deltaTable) entries.push({ name: file, text: () => wholeCsv(deltaTable, count) });
      else if (mode === 'delta' && deltaTable) {
        const byId = await deltaRows(deltaTable);
        if (file === 'users.csv')
          for (const [id, row] of byId) if ((row.status ?? '').trim() === 'tobedeleted') leavers.add(id);
        const empty: Table = { header: deltaTable.header, rows: (async function* () {})() };
        const from = baseTable ?? empty;
        const changes = { header: deltaTable.header, byId };
        entries.push({ name: file, text: () => mergedCsv(from, changes, count, leavers) });
      } else if (baseTable) {
        // Kept as it was, less the roles of users the delta removed.
        const none = { header: baseTable.header, byId: new Map<string, Record<string, string>>() };
        entries.push({ name: file, text: () => mergedCsv(baseTable, none, count, leavers) });
      } else continue;
      present.add(file);
      summary.files[file] = count;
    }
    zip.addBuffer(Buffer.from(manifestCsv(baseManifest, present)), 'manifest.csv', { mtime: FIXED_TIME });
    for (const e of entries) {
      zip.addReadStreamLazy(e.name, { mtime: FIXED_TIME }, (cb) => cb(null, Readable.from(e.text())));
    }
    zip.end();
    const out = zip.outputStream as Readable;
    let closed = false;
    const close = () => {
      if (!closed) void Promise.all([b.close(), d.close()]);
      closed = true;
    };
    out.once('end', close);
    out.once('error', close);
    out.once('close', close);
    return { bundle: out, summary };
  } catch (err) {
    await Promise.all([b.close(), d.close()]);
    throw err;
  }
}
