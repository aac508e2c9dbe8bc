/**
 * A OneRoster 1.2 CSV bundle through the running system, as a student-records system would send it:
 * the zip uploaded as one file part with curl, a control file using the oneroster-csv reader, the
 * first run held and approved, then bundles with mistakes, refused at upload with every problem named
 * by file and line, and a delta bundle, merged at upload onto the bulk bundle it follows and applied.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { keysV1, runsV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import {
  BULK_BUNDLE,
  DELTA_BUNDLE,
  ROLES_HEADER,
  zipBundle,
} from '../../packages/control-file/src/fixtures/oneroster.fixture.js';
import { ACTOR, startPipelineSystem, type PipelineSystem } from './support/pipeline-system.js';

const run = promisify(execFile);
/** Names, email, a managed group per role, and the school as a tag. */
const CONTROL = JSON.stringify({
  dataImportControlFileVersion: 0,
  model: 'haplo:user-sync',
  files: { roster: { read: 'oneroster-csv' } },
  instructions: [
    { source: 'username', destination: 'user', name: 'username' },
    { source: 'givenName', destination: 'user', name: 'nameFirst' },
    { source: 'familyName', destination: 'user', name: 'nameLast' },
    { source: 'email', destination: 'user', name: 'email' },
    {
      action: 'for-each',
      source: 'roles',
      instructions: [
        {
          source: 'role',
          destination: 'user',
          name: 'groups',
          multivalue: true,
          mapInputValue: { student: 'students', teacher: 'staff' },
        },
      ],
    },
    {
      action: 'within',
      source: 'primaryOrg',
      instructions: [{ source: 'name', destination: 'user:tags', name: 'school' }],
    },
  ],
});

let sys: PipelineSystem;
let dir: string;
let key: string;

beforeAll(async () => {
  sys = await startPipelineSystem();
  dir = mkdtempSync(join(tmpdir(), 'usersync-oneroster-'));
  key = (
    (await unary(sys.keys, 'createKey', {
      name: 'SIS export',
      scopes: ['sync:upload'],
      expiresAt: undefined,
      actor: ACTOR,
    })) as keysV1.CreateKeyResponse
  ).secret;
  sys.uploadKey = key;
  const current = (await unary(sys.runs, 'getConfig', {})) as runsV1.GetConfigResponse;
  await unary(sys.runs, 'updateConfig', {
    config: {
      ...current.config!,
      managedGroups: [
        { code: 'staff', name: 'Staff' },
        { code: 'students', name: 'Students' },
      ],
    },
    actor: ACTOR,
  });
}, 60_000);
afterAll(async () => {
  await sys?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

const curl = (...args: string[]) => run('/usr/bin/curl', ['-sS', '--user', `script:${key}`, ...args]);

/** The script's upload of the control file and the zip; returns the zip upload's status and body. */
async function upload(bundle: Buffer): Promise<{ status: number; body: string }> {
  writeFileSync(join(dir, '_control.json'), CONTROL);
  writeFileSync(join(dir, 'roster.zip'), bundle);
  await curl(
    '-F',
    'name=_control',
    '-F',
    `file=@${join(dir, '_control.json')}`,
    `${sys.gatewayUrl}/api/user-sync/upload-file`,
  );
  const { stdout } = await curl(
    '-w',
    '\n%{http_code}',
    '-F',
    'name=roster',
    '-F',
    `file=@${join(dir, 'roster.zip')};type=application/zip`,
    `${sys.gatewayUrl}/api/user-sync/upload-file`,
  );
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

describe('OneRoster 1.2 CSV bundles through the running gateway', () => {
  it('applies a bulk bundle: four users, groups from their roles, the school from the primary org', async () => {
    const bundle = await zipBundle(BULK_BUNDLE);
    const up = await upload(bundle);
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body)).toMatchObject({ filename: 'roster.zip', fileSize: bundle.length });
    expect((await curl('-X', 'POST', `${sys.gatewayUrl}/api/user-sync/start-sync`)).stdout).toMatch(/^OK/);
    const id = await sys.newestRunId();
    const held = await sys.waitForRun(id, (r) => r.hasPlan);
    expect(held).toMatchObject({ status: 'held', planCounts: { created: 4, errors: 0 } });
    await unary(sys.runs, 'applyRun', { runId: id, actor: ACTOR, scope: undefined, reason: '' });
    const done = await sys.waitForRun(id, (r) => r.status === 'complete' || r.status === 'failure');
    expect(done).toMatchObject({ status: 'complete', counts: { created: 4, errors: 0 } });
    const teacher = await sys.lookupUser('mrsgreen');
    expect(teacher).toMatchObject({ nameFirst: 'Grace', nameLast: 'Green', email: 'mrsgreen@school.example' });
    expect(teacher.tags).toEqual({ school: 'North School' });
    expect(teacher.groups.map((g) => g.code)).toEqual(['staff']);
    expect(JSON.parse(teacher.lastRecordJson)).toMatchObject({
      primaryRole: 'teacher',
      orgs: ['North School', 'South School'],
    });
    expect(JSON.parse(teacher.lastRecordJson).password).toBeUndefined();
  });

  it('refuses a bundle with mistakes at upload, naming each by file and line, and records nothing', async () => {
    const broken = await zipBundle({
      ...BULK_BUNDLE,
      'roles.csv': [
        ROLES_HEADER,
        'r1,,,u1,primary,wizard,2026-09-01,,s1,',
        'r2,,,u2,primary,student,09/01/2026,,s1,',
        'r3,,,u9,primary,student,2026-09-01,,s1,',
      ].join('\n'),
    });
    const up = await upload(broken);
    expect(up.status).toBe(400);
    expect(up.body.split('\n')).toEqual([
      'roster is not a valid OneRoster 1.2 CSV bundle:',
      expect.stringMatching(/^roles\.csv line 2: role must be one of aide, .* not "wizard"$/),
      'roles.csv line 3: beginDate must be a date (YYYY-MM-DD), not "09/01/2026"',
      'roles.csv line 4: userSourcedId "u9" is not a user in users.csv',
    ]);
    const open = await sys.runStatus(await sys.newestRunId());
    expect(open).toMatchObject({ status: 'uploading' });
    expect((open as unknown as { files: { name: string }[] }).files.map((f) => f.name)).toEqual(['_control']);
    expect((await sys.lookupUser('ajones')).groups.map((g) => g.code)).toEqual(['students']);
  });

  it('applies a delta bundle merged onto the last bulk one: the leaver held for a look, the joiner created', async () => {
    const delta = await zipBundle(DELTA_BUNDLE);
    const up = await upload(delta);
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body).filename).toMatch(/^roster\.zip \(delta applied to run \d+\)$/);
    expect((await curl('-X', 'POST', `${sys.gatewayUrl}/api/user-sync/start-sync`)).stdout).toMatch(/^OK/);
    const id = await sys.newestRunId();
    // One leaver of four is over the 10 % block limit: held with the plan in front of the admin.
    const held = await sys.waitForRun(id, (r) => r.hasPlan);
    expect(held).toMatchObject({ status: 'held', planCounts: { created: 1, blocked: 1, updated: 0, errors: 0 } });
    await unary(sys.runs, 'applyRun', { runId: id, actor: ACTOR, scope: undefined, reason: 'Ben left' });
    const done = await sys.waitForRun(id, (r) => r.status === 'complete' || r.status === 'failure');
    expect(done).toMatchObject({ status: 'complete', counts: { created: 1, blocked: 1, errors: 0 } });
    expect(await sys.lookupUser('bsmith')).toMatchObject({ active: false, inFeed: false });
    expect(await sys.lookupUser('dpatel')).toMatchObject({ active: true, nameFirst: 'Dana' });
    expect((await sys.lookupUser('dpatel')).groups.map((g) => g.code)).toEqual(['students']);
    expect(await sys.lookupUser('ajones')).toMatchObject({ active: true });
  });
});
