/**
 * Reads one OneRoster CSV file row by row, checking its header and every cell against the file's column
 * specification; each problem is `<file> line <n>: <what>`, and rows with problems are not passed on.
 */
import type { Bundle } from './bundle.js';
import { TABLES, valueProblem, type ProcessingMode, type TableName } from './tables.js';

/** Problems stop being collected after this many: the first ones are what a person fixes first. */
export const MAX_PROBLEMS = 100;

export type Row = Record<string, string>;

/** A row's non-empty cells by column name; a password is never read, let alone kept. */
export function rowOf(header: readonly string[], cells: readonly string[]): Row {
  const row: Row = {};
  header.forEach((name, i) => {
    const v = (cells[i] ?? '').trim();
    if (v !== '' && name !== 'password') row[name] = v;
  });
  return row;
}

/** Scans `table`; false when its header is unusable (then no row was read). */
export async function scanTable(
  bundle: Bundle,
  table: TableName,
  mode: ProcessingMode,
  problems: string[],
  onRow: (row: Row, line: number) => void,
): Promise<boolean> {
  const columns = TABLES[table];
  let header: string[] | undefined;
  const seen = new Set<string>();
  for await (const { line, cells } of bundle.rows(table)) {
    if (problems.length >= MAX_PROBLEMS) return true;
    if (!header) {
      header = cells.map((c) => c.trim());
      const missing = columns.filter((c) => !header!.includes(c.name)).map((c) => c.name);
      if (missing.length) {
        problems.push(`${table} line ${line}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        return false;
      }
      continue;
    }
    const row = rowOf(header, cells);
    const before = problems.length;
    for (const c of columns) {
      const v = row[c.name];
      const requiredHere = c.required || (mode === 'delta' && (c.name === 'status' || c.name === 'dateLastModified'));
      if (v === undefined) {
        if (requiredHere)
          problems.push(`${table} line ${line}: ${c.name} is required${c.required ? '' : ' in a delta file'}`);
        continue;
      }
      const problem = valueProblem(c.rule, v);
      if (problem) problems.push(`${table} line ${line}: ${c.name} ${problem}`);
    }
    const id = row.sourcedId;
    if (id !== undefined) {
      if (seen.has(id))
        problems.push(`${table} line ${line}: sourcedId ${JSON.stringify(id)} is used by an earlier row`);
      seen.add(id);
    }
    if (problems.length === before) onRow(row, line);
  }
  if (!header) problems.push(`${table} line 1: the file is empty (a header row is required)`);
  return header !== undefined;
}
