/**
 * The `oneroster-csv` reader: a OneRoster 1.2 CSV bundle (zip) in, one record per user out, joined with
 * the user's roles and their orgs. The whole bundle is checked first — manifest, required columns,
 * values, dates, encoding and every sourcedId reference — and every problem is reported at once with
 * its file and line, before any record is read: a bundle with a mistake changes nothing.
 */
import { ReaderError } from '../../errors.js';
import type { FileSpec, SourceRecord } from '../../model/types.js';
import type { ByteSource } from '../decode.js';
import { BundleError, openBundle, type Bundle } from './bundle.js';
import { readManifest, type Manifest } from './manifest.js';
import { MAX_PROBLEMS, rowOf, scanTable, type Row } from './scan-table.js';

interface Org {
  name: string;
  type: string;
  identifier?: string;
}
/** A role, already joined with its org (orgs are read first), so each user record only points at it. */
interface Role {
  role: string;
  roleType: string;
  orgSourcedId: string;
  beginDate?: string;
  endDate?: string;
  orgName?: string;
  orgType?: string;
  orgIdentifier?: string;
}

interface Checked {
  manifest: Manifest;
  orgs: Map<string, Org>;
  roles: Map<string, Role[]>;
}

/** Checks the bundle; `problems` gets every mistake found (up to MAX_PROBLEMS). */
async function check(bundle: Bundle, problems: string[]): Promise<Checked | undefined> {
  const manifest = await readManifest(bundle, problems);
  if (!manifest || problems.length) return undefined;
  const mode = (file: string) => manifest.modes.get(file) ?? 'absent';
  const orgs = new Map<string, Org>();
  const parents: [string, string, number][] = [];
  if (mode('orgs.csv') !== 'absent')
    await scanTable(bundle, 'orgs.csv', mode('orgs.csv'), problems, (r, line) => {
      orgs.set(r.sourcedId!, { name: r.name!, type: r.type!, ...(r.identifier ? { identifier: r.identifier } : {}) });
      if (r.parentSourcedId) parents.push([r.parentSourcedId, r.sourcedId!, line]);
    });
  // References can be checked only against a snapshot: a delta file may name what an earlier bundle sent.
  const orgsKnown = mode('orgs.csv') === 'bulk';
  const orgRef = (file: string, line: number, column: string, id: string) => {
    if (orgsKnown && !orgs.has(id))
      problems.push(`${file} line ${line}: ${column} ${JSON.stringify(id)} is not an org in orgs.csv`);
  };
  for (const [parent, , line] of parents) orgRef('orgs.csv', line, 'parentSourcedId', parent);
  const userIds = new Set<string>();
  const primaryOrgs: [string, number][] = [];
  const usersRead = await scanTable(bundle, 'users.csv', mode('users.csv'), problems, (r, line) => {
    userIds.add(r.sourcedId!);
    if (r.primaryOrgSourcedId) primaryOrgs.push([r.primaryOrgSourcedId, line]);
  });
  for (const [id, line] of primaryOrgs) orgRef('users.csv', line, 'primaryOrgSourcedId', id);
  const roles = new Map<string, Role[]>();
  const shared = new Map<string, Role>();
  if (mode('roles.csv') !== 'absent')
    await scanTable(bundle, 'roles.csv', mode('roles.csv'), problems, (r, line) => {
      if (usersRead && mode('users.csv') === 'bulk' && !userIds.has(r.userSourcedId!))
        problems.push(
          `roles.csv line ${line}: userSourcedId ${JSON.stringify(r.userSourcedId)} is not a user in users.csv`,
        );
      orgRef('roles.csv', line, 'orgSourcedId', r.orgSourcedId!);
      if (r.status === 'tobedeleted') return;
      // Most users share a role exactly (student, primary, same school, same dates): one object for all.
      const key = `${r.role}|${r.roleType}|${r.orgSourcedId}|${r.beginDate ?? ''}|${r.endDate ?? ''}`;
      let role = shared.get(key);
      if (!role) {
        role = { role: r.role!, roleType: r.roleType!, orgSourcedId: r.orgSourcedId! };
        if (r.beginDate) role.beginDate = r.beginDate;
        if (r.endDate) role.endDate = r.endDate;
        const org = orgs.get(r.orgSourcedId!);
        if (org) {
          role.orgName = org.name;
          role.orgType = org.type;
          if (org.identifier) role.orgIdentifier = org.identifier;
        }
        shared.set(key, Object.freeze(role) as Role);
      }
      const list = roles.get(r.userSourcedId!);
      if (list) list.push(role);
      else roles.set(r.userSourcedId!, [role]);
    });
  return problems.length ? undefined : { manifest, orgs, roles };
}

/** What the gateway or a test asks of a bundle: its problems, and its manifest when it has none. */
export async function validateOneRosterBundle(
  source: ByteSource,
): Promise<{ problems: string[]; manifest?: Manifest }> {
  const problems: string[] = [];
  let bundle: Bundle | undefined;
  try {
    bundle = await openBundle(source);
    const checked = await check(bundle, problems);
    return checked ? { problems, manifest: checked.manifest } : { problems: problems.slice(0, MAX_PROBLEMS) };
  } catch (err) {
    if (err instanceof BundleError) return { problems: [err.message] };
    throw err;
  } finally {
    await bundle?.close();
  }
}

/** A user row with its roles and orgs, as a control file sees it. */
function userRecord(row: Row, checked: Checked, mode: string): SourceRecord {
  const roles = checked.roles.get(row.sourcedId!) ?? [];
  const primary = roles.find((r) => r.roleType === 'primary') ?? roles[0];
  const primaryOrgId = row.primaryOrgSourcedId ?? primary?.orgSourcedId;
  const record: SourceRecord = Object.assign({}, row, { processing: mode, roles });
  if (primary) record.primaryRole = primary.role;
  const orgNames: string[] = [];
  for (const r of roles) if (r.orgName && !orgNames.includes(r.orgName)) orgNames.push(r.orgName);
  record.orgs = orgNames;
  if (primaryOrgId) record.primaryOrg = { sourcedId: primaryOrgId, ...checked.orgs.get(primaryOrgId) };
  return record;
}

export async function* readOneRoster(
  fileName: string,
  _spec: FileSpec,
  source: ByteSource,
): AsyncGenerator<SourceRecord> {
  const problems: string[] = [];
  let bundle: Bundle | undefined;
  try {
    bundle = await openBundle(source);
    const checked = await check(bundle, problems);
    if (!checked) throw new ReaderError(fileName, `the OneRoster bundle has problems:\n${problems.join('\n')}`);
    const mode = checked.manifest.modes.get('users.csv')!;
    // A delta reaches a run only merged onto its snapshot (delta-merge.ts): read alone, absence means nothing.
    if (mode === 'delta')
      throw new ReaderError(
        fileName,
        'users.csv is a delta file: a delta is merged onto its snapshot at upload, and runs read the merged bulk bundle',
      );
    let header = true;
    let names: string[] = [];
    for await (const { cells } of bundle.rows('users.csv')) {
      if (header) {
        names = cells.map((c) => c.trim());
        header = false;
        continue;
      }
      yield userRecord(rowOf(names, cells), checked, mode);
    }
  } catch (err) {
    if (err instanceof BundleError) throw new ReaderError(fileName, err.message, {}, { cause: err });
    throw err;
  } finally {
    await bundle?.close();
  }
}
