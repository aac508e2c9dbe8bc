/**
 * manifest.csv (OneRoster CSV Binding 1.2.1 §2.1): `propertyName,value` rows naming the versions and,
 * for each data file, how it is processed — `bulk` (a snapshot: what is absent is gone), `delta` (only
 * changes: `status=tobedeleted` removes, nothing is inferred from absence) or `absent` (not sent).
 */
import type { Bundle } from './bundle.js';
import type { ProcessingMode } from './tables.js';

export interface Manifest {
  version: string;
  onerosterVersion: string;
  /** Processing mode per data file name (`users.csv` → `bulk`). */
  modes: Map<string, ProcessingMode>;
}

const MODES: readonly string[] = ['bulk', 'delta', 'absent'];

/** Reads and checks the manifest; `problems` collects what is wrong (file and line in each). */
export async function readManifest(bundle: Bundle, problems: string[]): Promise<Manifest | undefined> {
  if (!bundle.names.has('manifest.csv')) {
    problems.push('manifest.csv: the bundle has no manifest (OneRoster bundles must contain manifest.csv)');
    return undefined;
  }
  const properties = new Map<string, { value: string; line: number }>();
  let header = true;
  for await (const { line, cells } of bundle.rows('manifest.csv')) {
    if (header) {
      header = false;
      if (cells[0]?.trim() !== 'propertyName' || cells[1]?.trim() !== 'value')
        problems.push(
          `manifest.csv line ${line}: the header must be "propertyName,value", not ${JSON.stringify(cells.join(','))}`,
        );
      continue;
    }
    const name = (cells[0] ?? '').trim();
    if (name === '') continue;
    if (properties.has(name)) problems.push(`manifest.csv line ${line}: ${name} is given twice`);
    properties.set(name, { value: (cells[1] ?? '').trim(), line });
  }
  const get = (name: string) => properties.get(name)?.value;
  const version = get('manifest.version') ?? '';
  const onerosterVersion = get('oneroster.version') ?? '';
  if (version !== '1.0')
    problems.push(`manifest.csv: manifest.version must be 1.0, not ${JSON.stringify(version || '(missing)')}`);
  if (onerosterVersion !== '1.2')
    problems.push(
      `manifest.csv: oneroster.version must be 1.2 (this reader reads OneRoster 1.2 CSV), not ${JSON.stringify(onerosterVersion || '(missing)')}`,
    );
  const modes = new Map<string, ProcessingMode>();
  for (const [name, { value, line }] of properties) {
    if (!name.startsWith('file.')) continue;
    const mode = value.toLowerCase();
    if (!MODES.includes(mode)) {
      problems.push(`manifest.csv line ${line}: ${name} must be bulk, delta or absent, not ${JSON.stringify(value)}`);
      continue;
    }
    const file = `${name.slice('file.'.length)}.csv`;
    modes.set(file, mode as ProcessingMode);
    if (mode !== 'absent' && !bundle.names.has(file))
      problems.push(`manifest.csv line ${line}: ${name} is ${mode} but ${file} is not in the bundle`);
  }
  const users = modes.get('users.csv');
  if (users !== 'bulk' && users !== 'delta')
    problems.push('manifest.csv: file.users must be bulk or delta (usersync reads users from the bundle)');
  return { version, onerosterVersion, modes };
}
