/**
 * The SCIM batcher against a real gateway, PostgreSQL and S3: SCIM writes become runs of the `scim` source
 * (a snapshot and the built-in control file), one open run at a time per source, and runs are listed and
 * answered with their source. The automatic window is an hour here; each test calls the batcher itself.
 */
import { readFileSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { runsV1 } from '@usersync/contracts';
import { ConflictError, ValidationError } from '@usersync/platform';
import { ADMIN, startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import { callRunService, readyRun } from '../support/run-service-calls.js';
import { scimClient, type ScimClient } from '../support/scim-client.js';
import { batchScimChanges } from '../../src/usecases/scim-batcher.js';
import { SCIM_CONTROL_BYTES, SCIM_CONTROL_FILE } from '../../src/domain/scim-snapshot.js';
import { uploadPortalControlFile } from '../../src/usecases/control-file-upload.js';

let env: GatewayEnv;
let scim: ScimClient;
const batch = () => batchScimChanges({ pool: env.pool, objects: env.objects, log: pino({ level: 'silent' }) });
const changesWaiting = async () =>
  (await env.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM scim.change')).rows[0]!.n;

async function setAutoApply(autoApply: boolean): Promise<void> {
  const { config } = await callRunService<runsV1.GetConfigResponse>(env, 'getConfig', {});
  await callRunService(env, 'updateConfig', { config: { ...config, autoApply }, actor: ADMIN });
}

async function filesOf(runId: number): Promise<Record<string, Buffer>> {
  const { rows } = await env.pool.query<{ name: string; digest: string }>(
    'SELECT name, digest FROM runs.run_file WHERE run_id = $1',
    [runId],
  );
  const out: Record<string, Buffer> = {};
  for (const r of rows) out[r.name] = await buffer(await env.objects.get(r.digest));
  return out;
}

beforeAll(async () => {
  env = await startGatewayEnv({ SCIM_BATCH_WINDOW_MS: String(3_600_000) });
  scim = await scimClient(env);
}, 60_000);
afterAll(async () => {
  await env?.stop();
});

describe('the SCIM batcher', () => {
  let firstRun = 0;

  it('does nothing without changes', async () => {
    expect(await batch()).toEqual({ kind: 'idle' });
  });

  it('snapshots the active users with their groups into a run of the scim source', async () => {
    const ann = await scim.createUser({
      userName: 'Ann@Corp.example',
      name: { givenName: 'Ann', familyName: 'Lee', honorificPrefix: 'Dr' },
      emails: [
        { value: 'ann.home@mail.example', type: 'home' },
        { value: 'ann@corp.example', type: 'work' },
      ],
      externalId: 'E100',
    });
    const ben = await scim.createUser({ userName: 'ben@corp.example', displayName: 'Ben van Dyke' });
    const gone = await scim.createUser({ userName: 'gone@corp.example', active: false });
    const group = await scim.call('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Sales',
      members: [{ value: ann.id }],
    });
    expect(group.status).toBe(201);

    const opened = await batch();
    expect(opened).toMatchObject({ kind: 'opened', changes: 4, held: false });
    firstRun = (opened as { runId: number }).runId;
    const { rows } = await env.pool.query('SELECT source, status, source_groups FROM runs.run WHERE id = $1', [
      firstRun,
    ]);
    expect(rows[0]).toEqual({
      source: 'scim',
      status: 'running',
      source_groups: [{ code: `scim:${group.body.id as string}`, name: 'Sales' }],
    });
    const files = await filesOf(firstRun);
    expect(files._control!.equals(SCIM_CONTROL_BYTES)).toBe(true);
    const records = JSON.parse(files.users!.toString()) as Record<string, unknown>[];
    expect(records.sort((a, b) => String(a.userName).localeCompare(String(b.userName)))).toEqual([
      {
        userName: 'Ann@Corp.example',
        nameFirst: 'Ann',
        nameLast: 'Lee',
        title: 'Dr',
        email: 'ann@corp.example',
        groups: [`scim:${group.body.id as string}`],
        scimId: ann.id,
        externalId: 'E100',
        resource: expect.objectContaining({ userName: 'Ann@Corp.example', externalId: 'E100' }),
      },
      {
        userName: 'ben@corp.example',
        nameFirst: 'Ben van',
        nameLast: 'Dyke',
        email: 'ben@corp.example',
        groups: [],
        scimId: ben.id,
        resource: expect.objectContaining({ displayName: 'Ben van Dyke' }),
      },
    ]);
    expect(records.some((r) => r.scimId === gone.id)).toBe(false);
    expect(await changesWaiting()).toBe(0);
    const audit = await env.pool.query(
      "SELECT detail FROM runs.run_audit WHERE run_id = $1 AND action = 'scim_batch'",
      [firstRun],
    );
    expect(audit.rows[0].detail).toMatchObject({ changes: 4, groups: 1 });
  });

  it('waits while a run of the source is open, keeping the changes for the next one', async () => {
    await scim.createUser({ userName: 'cy@corp.example', name: { givenName: 'Cy', familyName: 'Ng' } });
    expect(await batch()).toEqual({ kind: 'waiting', runId: firstRun });
    expect(await changesWaiting()).toBe(1);
    // A file upload opens its own run beside the open SCIM run.
    const fileRun = await readyRun(env);
    expect(fileRun).not.toBe(firstRun);
  });

  it('holds the run for an admin when automatic applies are off, and follows a cancelled run with a new one', async () => {
    await env.pool.query("UPDATE runs.run SET status = 'complete', finished_at = now() WHERE id = $1", [firstRun]);
    await setAutoApply(false);
    const held = await batch();
    expect(held).toMatchObject({ kind: 'opened', changes: 1, held: true });
    const heldId = (held as { runId: number }).runId;
    const run = await callRunService<runsV1.GetRunResponse>(env, 'getRun', { runId: heldId });
    expect(run.run).toMatchObject({ source: 'scim', hasPlan: false });

    await scim.createUser({ userName: 'di@corp.example', name: { givenName: 'Di', familyName: 'Ro' } });
    expect(await batch()).toMatchObject({ kind: 'waiting', runId: heldId });
    await callRunService(env, 'cancelRun', { runId: heldId, actor: ADMIN });
    await setAutoApply(true);
    const next = await batch();
    expect(next).toMatchObject({ kind: 'opened', changes: 1, held: false });
    const users = JSON.parse((await filesOf((next as { runId: number }).runId)).users!.toString()) as unknown[];
    expect(users).toHaveLength(4);
  });

  it('lists runs by source, answers scripts with the source, and never re-applies a SCIM snapshot', async () => {
    const scimRuns = await callRunService<runsV1.ListRunsResponse>(env, 'listRuns', { pageSize: 50, source: 'scim' });
    expect(scimRuns.runs.length).toBe(3);
    expect(new Set(scimRuns.runs.map((r) => r.source))).toEqual(new Set(['scim']));
    const fileRuns = await callRunService<runsV1.ListRunsResponse>(env, 'listRuns', { pageSize: 50, source: 'file' });
    expect(fileRuns.runs.map((r) => r.source)).toEqual(['file']);
    await expect(callRunService(env, 'listRuns', { source: 'ldap' })).rejects.toThrow(ValidationError);

    const res = await fetch(`${env.baseUrl}/api/user-sync/runs/${firstRun}`, {
      headers: { authorization: env.authHeader },
    });
    expect(await res.json()).toMatchObject({ id: firstRun, source: 'scim', status: 'complete' });
    await expect(callRunService(env, 'reapplyRun', { runId: firstRun, actor: ADMIN })).rejects.toThrow(ConflictError);
  });

  it("maps with the admin's SCIM control file once there is one, and re-maps everyone in the next window", async () => {
    const deps = { pool: env.pool, objects: env.objects };
    const actor = { kind: 'admin' as const, id: '1', displayName: 'Ada Admin' };
    const wrong = await uploadPortalControlFile(deps, {
      content: JSON.stringify({ ...SCIM_CONTROL_FILE, files: { people: { read: 'json' } } }),
      reason: 'try',
      actor,
      source: 'scim',
    });
    expect(wrong).toMatchObject({ ok: false, errors: [{ path: 'files' }] });

    await env.pool.query(
      "UPDATE runs.run SET status = 'complete', finished_at = now() WHERE source = 'scim' AND status = 'running'",
    );
    // The built-in mapping plus extension attributes to tags (packages/control-file/README.md's example).
    const content = readFileSync(
      new URL('../../../../docs/samples/entra/scim-control-file.json', import.meta.url),
      'utf8',
    );
    const custom: unknown = JSON.parse(content);
    const ok = await uploadPortalControlFile(deps, { content, reason: 'map employee numbers', actor, source: 'scim' });
    expect(ok).toMatchObject({ ok: true, runId: null });
    // The file feed's control file is untouched by the SCIM source's.
    const fileCurrent = await env.pool.query("SELECT count(*)::int AS n FROM runs.control_file WHERE source = 'scim'");
    expect(fileCurrent.rows[0].n).toBe(1);
    expect(await changesWaiting()).toBeGreaterThan(0);
    const opened = await batch();
    expect(opened).toMatchObject({ kind: 'opened' });
    const control = (await filesOf((opened as { runId: number }).runId))._control!;
    expect(JSON.parse(control.toString())).toEqual(custom);
  });
});
