/**
 * Records per second of the Entra / SCIM feed's control-file stage (issue 20): the SCIM batcher's snapshot
 * of N users in Microsoft's API-driven inbound shape (core, enterprise extension, every CSV column as text
 * in the csv extension), read by the json reader and mapped by a SCIM source control file (the built-in
 * mapping plus employeeNumber, department and WorkerID from the extensions), as the apply worker does.
 *
 *   node --conditions=source --import tsx bench/entra-snapshot.bench.ts [users]
 *
 * The snapshot file is written first with the batcher's own record builder, untimed; the timed parts are
 * the reader alone and the reader plus transform. Peak RSS is the process's high-water mark.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, parseControlFile, readRecords } from '@usersync/control-file';
import { SCIM_USERS_FILE, snapshotRecord } from '../services/ingest-gateway/src/domain/scim-snapshot.js';

const total = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(total) || total < 1) throw new Error(`users must be a positive whole number (got ${total})`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';

/** One user as Entra's bulkUpload sample sends it, after the gateway stored it (strings kept as sent). */
function resource(i: number) {
  const worker = String(700_000 + i);
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE, CSV],
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    externalId: worker,
    userName: `worker${i}@contoso.example`,
    name: { givenName: `Given${i}`, familyName: `Family${i}` },
    displayName: `Given${i} Family${i}`,
    emails: [{ value: `worker${i}@contoso.example`, type: 'work', primary: 'True' }],
    active: true,
    [ENTERPRISE]: { employeeNumber: worker, department: `Department ${i % 50}`, manager: { value: '89607' } },
    [CSV]: { WorkerID: worker, IsTerminated: 'False', CostCenter: `CC${i % 200}`, HireDate: '2024-09-01' },
  };
}

async function writeSnapshot(path: string): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '[';
  for (let i = 0; i < total; i++) {
    const r = resource(i);
    const user = { id: r.id, userName: r.userName, externalId: r.externalId, resource: r };
    chunk += (i ? ',\n' : '') + JSON.stringify(snapshotRecord(user, i % 10 ? [] : ['g1']));
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(`${chunk}]\n`);
  await once(out, 'finish');
}

/** The built-in mapping plus employeeNumber, department and WorkerID to tags (packages/control-file/README.md). */
const control = readFileSync(new URL('../docs/samples/entra/scim-control-file.json', import.meta.url), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'entra-snapshot-bench-'));
try {
  const path = join(dir, 'users.json');
  await writeSnapshot(path);
  console.log(`SCIM snapshot (Entra shape): ${fmt(total)} users, ${(statSync(path).size / 1e6).toFixed(1)} MB`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const parsed = parseControlFile(control);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const spec = parsed.controlFile.files[SCIM_USERS_FILE]!;

  let t = performance.now();
  let n = 0;
  for await (const _ of readRecords(SCIM_USERS_FILE, spec, createReadStream(path))) n++;
  const readS = (performance.now() - t) / 1000;
  console.log(`json reader: ${fmt(n)} records in ${readS.toFixed(1)} s = ${fmt(n / readS)}/s`);

  t = performance.now();
  let ok = 0;
  let tagged = 0;
  for await (const outcome of compile(parsed.controlFile).records({
    [SCIM_USERS_FILE]: () => createReadStream(path),
  })) {
    if (outcome.status !== 'ok') continue;
    ok++;
    if (outcome.desired?.tags.workerId) tagged++;
  }
  const allS = (performance.now() - t) / 1000;
  if (tagged !== total) throw new Error(`expected every user tagged with workerId, got ${tagged} of ${total}`);
  console.log(`reader + SCIM control file: ${fmt(ok)} desired users in ${allS.toFixed(1)} s = ${fmt(ok / allS)}/s`);
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  console.log(`peak RSS ${Math.round(Number(hwm) / 1024)} MiB; load average at end: ${loadavg()[0]!.toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
