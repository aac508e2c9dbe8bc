// Records per second through the oneroster-csv reader and a control file that maps a OneRoster user
// (names, email, a group per role, the school as a profile attribute), on a generated bundle.
// Run: npx tsc -b packages/control-file && node packages/control-file/dist/bench/oneroster-bench.js [users]
// The bundle is generated and zipped first, untimed; the timed part is the reader (validation pass and
// records) and then the same through compile(). Peak RSS is the process's high-water mark.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { compile, parseControlFile, readRecords } from '../index.js';

const total = Number(process.argv[2] ?? 1_000_000);
const SCHOOLS = 40;
const USERS_HEADER =
  'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns';

function* lines(header: string, row: (i: number) => string, n: number) {
  yield `${header}\n`;
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${row(i)}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function writeBundle(path: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const school = (i: number) => `s${i % SCHOOLS}`;
  zip.addBuffer(
    Buffer.from(
      'propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,bulk\nfile.roles,bulk\nfile.orgs,bulk\n',
    ),
    'manifest.csv',
  );
  zip.addReadStream(
    Readable.from(
      lines(
        'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
        (i) => (i === 0 ? 'd1,,,District,district,D1,' : `s${i - 1},,,School ${i - 1},school,S${i - 1},d1`),
        SCHOOLS + 1,
      ),
    ),
    'orgs.csv',
  );
  zip.addReadStream(
    Readable.from(
      lines(
        USERS_HEADER,
        (i) =>
          `u${i},,,true,user${i},{SIS:${i}},Given${i},Family${i},,ID${i},user${i}@school.example,,,,${i % 12},,,,,,,${school(i)},`,
        total,
      ),
    ),
    'users.csv',
  );
  zip.addReadStream(
    Readable.from(
      lines(
        'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
        (i) => `r${i},,,u${i},primary,${i % 20 ? 'student' : 'teacher'},2026-09-01,,${school(i)},`,
        total,
      ),
    ),
    'roles.csv',
  );
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
}

const control = {
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { roster: { read: 'oneroster-csv' } },
  instructions: [
    { source: 'username', destination: 'user', name: 'username' },
    { source: 'givenName', destination: 'user', name: 'nameFirst' },
    { source: 'familyName', destination: 'user', name: 'nameLast' },
    { source: 'email', destination: 'user', name: 'email', filters: ['haplo:to-lower-case'] },
    {
      action: 'for-each',
      source: 'roles',
      instructions: [
        {
          source: 'role',
          destination: 'user',
          name: 'groups',
          multivalue: true,
          mapInputValue: { student: 'app:group:students', teacher: 'app:group:teachers' },
        },
      ],
    },
  ],
};

export { writeBundle };
const dir = mkdtempSync(join(tmpdir(), 'oneroster-bench-'));
try {
  const path = join(dir, 'bundle.zip');
  await writeBundle(path);
  console.log(
    `oneroster bundle: ${total.toLocaleString('en-US')} users, ${(statSync(path).size / 1e6).toFixed(1)} MB zip`,
  );
  let t = performance.now();
  let n = 0;
  let heapMax = 0;
  for await (const _ of readRecords('roster', { read: 'oneroster-csv' }, createReadStream(path)))
    if (++n % 10_000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  const readS = (performance.now() - t) / 1000;
  console.log(
    `reader (check + records): ${n.toLocaleString('en-US')} records in ${readS.toFixed(1)} s = ${Math.round(n / readS).toLocaleString('en-US')}/s, heap up to ${Math.round(heapMax / 2 ** 20)} MiB`,
  );
  const parsed = parseControlFile(JSON.stringify(control));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  t = performance.now();
  let ok = 0;
  for await (const outcome of compile(parsed.controlFile).records({ roster: () => createReadStream(path) }))
    if (outcome.status === 'ok') ok++;
  const allS = (performance.now() - t) / 1000;
  console.log(
    `reader + transform: ${ok.toLocaleString('en-US')} desired users in ${allS.toFixed(1)} s = ${Math.round(ok / allS).toLocaleString('en-US')}/s`,
  );
  const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  console.log(`peak RSS ${Math.round(Number(hwm) / 1024)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
