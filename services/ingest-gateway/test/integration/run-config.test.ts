/** RunService over real gRPC: the sync configuration (defaults, every field's check, audit) and control files. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runsV1 } from '@usersync/contracts';
import { NotFoundError, ValidationError } from '@usersync/platform';
import { ADMIN, startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { cancelOpenRuns, controlFile, usersFile } from '../support/fixtures.js';
import { callRunService, readyRun as readyRunIn } from '../support/run-service-calls.js';
import { SCIM_CONTROL_BYTES } from '../../src/domain/scim-snapshot.js';

let env: GatewayEnv;
const S = runsV1.RunStatus;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const readyRun = (users = usersFile(10)) => readyRunIn(env, users);
const call = <T>(method: string, req: unknown) => callRunService<T>(env, method, req);
const getRun = async (runId: number) => (await call<runsV1.GetRunResponse>('getRun', { runId })).run!;

beforeAll(async () => {
  env = await startGatewayEnv();
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

describe('configuration and control files', () => {
  it('returns defaults, validates every field and audits a save', async () => {
    const got = await call<runsV1.GetConfigResponse>('getConfig', {});
    expect(got.config).toMatchObject({
      autoApply: true,
      updateAll: false,
      maxBlockPercent: 10,
      maxBlockCount: 500,
      supersedeHeldRuns: true,
      blockInvalidRecords: false,
    });
    const bad = {
      ...got.config,
      reportEmails: ['ok@example.org', 'not an email'],
      maxBlockPercent: 120,
      reportEndpoint: 'ftp://x',
      managedGroups: [
        { code: 'staff', name: 'Staff' },
        { code: 'staff', name: 'Again' },
      ],
    };
    const err = await call('updateConfig', { config: bad, actor: ADMIN }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = ((err as ValidationError).details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(['report_emails[1]', 'report_endpoint', 'max_block_percent', 'managed_groups[1].code']);
    await expect(call('updateConfig', { config: got.config, actor: undefined })).rejects.toThrow(/actor is required/);
    const good = { ...got.config, reportEmails: ['a@example.org', 'b@example.org'], maxBlockPercent: undefined };
    const saved = await call<runsV1.UpdateConfigResponse>('updateConfig', { config: good, actor: ADMIN });
    expect(saved.config).toMatchObject({ reportEmails: ['a@example.org', 'b@example.org'] });
    expect(saved.config!.maxBlockPercent).toBeUndefined();
    const after = await call<runsV1.GetConfigResponse>('getConfig', {});
    expect(after.updatedBy).toEqual(ADMIN);
    await call('updateConfig', { config: got.config, actor: ADMIN });
    const audit = await env.pool.query(`SELECT count(*)::int AS n FROM runs.run_audit WHERE action = 'update_config'`);
    expect(audit.rows[0].n).toBe(2);
  });

  it('uploads a control file with a reason into the open run, keeps history, and returns errors for a bad one', async () => {
    await expect(call('uploadControlFile', { content: controlFile(), reason: ' ', actor: ADMIN })).rejects.toThrow(
      /reason is required/,
    );
    const rejected = await call<runsV1.UploadControlFileResponse>('uploadControlFile', {
      content: '{"dataImportControlFileVersion": 0}',
      reason: 'try',
      actor: ADMIN,
    });
    expect(rejected.controlFile).toBeUndefined();
    expect(rejected.errors.length).toBeGreaterThan(0);
    expect(rejected.errors.every((e) => e.path.startsWith('$'))).toBe(true);

    // An earlier control file (through the upload API), so the history has a second page.
    await readyRun();
    await cancelOpenRuns(env);
    const content = controlFile(['staff']);
    const res = await call<runsV1.UploadControlFileResponse>('uploadControlFile', {
      content,
      reason: 'add staff',
      actor: ADMIN,
    });
    expect(res.errors).toEqual([]);
    expect(res.controlFile).toMatchObject({
      digest: sha256(content),
      reason: 'add staff',
      current: true,
      expectedFiles: ['staff'],
    });
    const current = await call<runsV1.GetControlFileResponse>('getControlFile', {});
    expect(current.content).toBe(content);
    const { rows } = await env.pool.query(
      `SELECT r.status, f.digest FROM runs.run r JOIN runs.run_file f ON f.run_id = r.id AND f.name = '_control'
       WHERE r.status = 'uploading'`,
    );
    expect(rows).toEqual([{ status: 'uploading', digest: sha256(content) }]);
    const history = await call<runsV1.ListControlFilesResponse>('listControlFiles', { pageSize: 1 });
    expect(history.controlFiles[0]!.digest).toBe(sha256(content));
    expect(history.nextPageToken).not.toBe('');
    const older = await call<runsV1.ListControlFilesResponse>('listControlFiles', {
      pageSize: 1,
      pageToken: history.nextPageToken,
    });
    expect(older.controlFiles[0]!.current).toBe(false);
    await expect(call('getControlFile', { digest: 'f'.repeat(64) })).rejects.toThrow(NotFoundError);
  });

  it('makes a portal control file current for the next run when the open run is ready', async () => {
    const id = await readyRun();
    const content = controlFile(['users', 'staff']);
    await call('uploadControlFile', { content, reason: 'next run', actor: ADMIN });
    const run = await getRun(id);
    expect(run.status).toBe(S.RUN_STATUS_READY);
    expect(run.files.find((f) => f.name === '_control')!.digest).not.toBe(sha256(content));
    expect((await call<runsV1.GetControlFileResponse>('getControlFile', {})).controlFile!.digest).toBe(sha256(content));
  });

  it("keeps the SCIM source's control file apart: its own shape check, current and history", async () => {
    const fileCurrent = (await call<runsV1.GetControlFileResponse>('getControlFile', {})).controlFile!.digest;
    // Until an admin uploads one, the SCIM source's current control file is its built-in mapping.
    const builtIn = await call<runsV1.GetControlFileResponse>('getControlFile', { source: 'scim' });
    expect(builtIn).toEqual({
      content: SCIM_CONTROL_BYTES.toString(),
      controlFile: expect.objectContaining({
        digest: sha256(SCIM_CONTROL_BYTES),
        builtIn: true,
        current: true,
        source: 'scim',
        expectedFiles: ['users'],
      }),
    });
    expect((await call<runsV1.ListControlFilesResponse>('listControlFiles', { source: 'scim' })).controlFiles).toEqual(
      [],
    );
    await expect(call('listControlFiles', { pageSize: 5, source: 'ldap' })).rejects.toThrow(/"ldap" is not a source/);
    const wrong = await call<runsV1.UploadControlFileResponse>('uploadControlFile', {
      content: JSON.stringify({ ...JSON.parse(SCIM_CONTROL_BYTES.toString()), files: { people: { read: 'json' } } }),
      reason: 'try',
      actor: ADMIN,
      source: 'scim',
    });
    expect(wrong.controlFile).toBeUndefined();
    expect(wrong.errors).toEqual([{ path: 'files', message: expect.stringContaining('"users"') }]);

    // The built-in mapping, compact: another text, so another digest than the built-in one.
    const content = JSON.stringify(JSON.parse(SCIM_CONTROL_BYTES.toString()));
    const ok = await call<runsV1.UploadControlFileResponse>('uploadControlFile', {
      content,
      reason: 'map the snapshot',
      actor: ADMIN,
      source: 'scim',
    });
    expect(ok.errors).toEqual([]);
    expect(ok.controlFile).toMatchObject({ digest: sha256(content), current: true, source: 'scim' });
    const scim = await call<runsV1.GetControlFileResponse>('getControlFile', { source: 'scim' });
    expect(scim).toMatchObject({ content, controlFile: { source: 'scim', expectedFiles: ['users'] } });
    const byDigest = await call<runsV1.GetControlFileResponse>('getControlFile', { digest: sha256(content) });
    expect(byDigest.controlFile).toMatchObject({ source: 'scim', current: true });
    const past = await call<runsV1.GetControlFileResponse>('getControlFile', { digest: sha256(SCIM_CONTROL_BYTES) });
    expect(past.controlFile).toMatchObject({ builtIn: true, current: false });
    const scimHistory = await call<runsV1.ListControlFilesResponse>('listControlFiles', { source: 'scim' });
    expect(scimHistory.controlFiles.map((c) => c.digest)).toEqual([sha256(content)]);
    // The file feed's current control file and history are untouched.
    const file = await call<runsV1.GetControlFileResponse>('getControlFile', { source: 'file' });
    expect(file.controlFile).toMatchObject({ digest: fileCurrent, source: 'file' });
    const fileHistory = await call<runsV1.ListControlFilesResponse>('listControlFiles', { pageSize: 100 });
    expect(fileHistory.controlFiles.every((c) => c.source === 'file')).toBe(true);
  });
});
