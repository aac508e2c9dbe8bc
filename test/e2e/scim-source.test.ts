/**
 * The SCIM source through the running system (issue 19): an IdP-like client provisions users and a group
 * over SCIM, the gateway's batcher carries them to the directory as runs of the `scim` source, a file feed
 * beside it never touches them, and a deprovisioning that deactivates 40 % of them is held by the block
 * limit until an admin approves it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsV1, type keysV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import { ACTOR, startPipelineSystem, type PipelineSystem } from './support/pipeline-system.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const FINAL = new Set(['complete', 'failure', 'cancelled']);

let sys: PipelineSystem;
let scimKey: string;

const newKey = async (name: string, scopes: string[]) =>
  (
    (await unary(sys.keys, 'createKey', {
      name,
      scopes,
      expiresAt: undefined,
      actor: ACTOR,
    })) as keysV1.CreateKeyResponse
  ).secret;

/** A SCIM answer: the status and the JSON body (ids and attributes read as text). */
type ScimAnswer = { status: number; body: Record<string, unknown> & { id: string; active?: boolean } };

async function scim(method: string, path: string, body?: unknown): Promise<ScimAnswer> {
  const res = await fetch(`${sys.gatewayUrl}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${scimKey}`, 'content-type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as ScimAnswer['body'] };
}

async function scimRuns(): Promise<runsV1.Run[]> {
  const res = (await unary(sys.runs, 'listRuns', {
    pageSize: 100,
    pageToken: '',
    source: 'scim',
  })) as runsV1.ListRunsResponse;
  return res.runs;
}

/** Waits until every SCIM change has been carried by a run and that run has finished (or is held). */
async function settled(done: (runs: runsV1.Run[]) => Promise<boolean>, timeoutMs = 30_000): Promise<runsV1.Run[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await scimRuns();
    if (await done(runs)) return runs;
    if (Date.now() > deadline) throw new Error(`SCIM runs never settled: ${JSON.stringify(runs.map(brief))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const brief = (r: runsV1.Run) => ({ id: r.id, status: r.status, hold: r.holdReason, counts: r.counts });
const lookupOrNone = async (query: string) =>
  ((await unary(sys.lookup, 'lookupUser', { query })) as { matches: { active: boolean; groups: unknown[] }[] }).matches;

const users = Array.from({ length: 10 }, (_, i) => ({
  userName: `member${i}@corp.example`,
  name: { givenName: `Member${i}`, familyName: 'Corp' },
  emails: [{ value: `member${i}@corp.example`, type: 'work', primary: true }],
}));
const ids: string[] = [];
let groupId = '';

beforeAll(async () => {
  sys = await startPipelineSystem({ gatewayEnv: { SCIM_BATCH_WINDOW_MS: '1000' } });
  scimKey = await newKey('Entra provisioning', ['scim']);
  sys.uploadKey = await newKey('HR export', ['sync:upload']);
}, 60_000);
afterAll(async () => {
  await sys?.stop();
}, 30_000);

describe('the SCIM source', () => {
  it('carries SCIM users and group memberships to the directory through runs of the scim source', async () => {
    for (const u of users) {
      const res = await scim('POST', '/Users', { schemas: [USER], ...u });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const group = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Engineering',
      members: ids.slice(0, 5).map((value) => ({ value })),
    });
    expect(group.status).toBe(201);
    groupId = group.body.id;

    await settled(
      async (runs) =>
        runs.length > 0 &&
        (await idle()) &&
        (await lookupOrNone('member9@corp.example')).length === 1 &&
        ((await lookupOrNone('member4@corp.example'))[0]?.groups.length ?? 0) === 1,
    );
    const member = await sys.lookupUser('member0@corp.example');
    expect(member).toMatchObject({ source: 'scim', active: true, nameFirst: 'Member0', nameLast: 'Corp' });
    expect(member.groups.map((g) => ({ code: g.code, name: g.name }))).toEqual([
      { code: `scim:${groupId}`, name: 'Engineering' },
    ]);
    expect(member.tags).toMatchObject({ scimId: ids[0] });
    expect((await sys.lookupUser('member9@corp.example')).groups).toEqual([]);
    const runs = await scimRuns();
    const created = runs.reduce((n, r) => n + (r.counts?.created ?? 0), 0);
    expect(created).toBe(10);
  }, 60_000);

  it('a file feed never blocks SCIM users, and a record naming one is an error of that record', async () => {
    const feed = JSON.stringify([
      { ID: 'alice', FIRST: 'Alice', LAST: 'Archer', EMAIL: 'alice@example.org', GROUP: [] },
      { ID: 'member0@corp.example', FIRST: 'Taken', LAST: 'Over', EMAIL: 'x@example.org', GROUP: [] },
    ]);
    await sys.uploadFeed(feed);
    const id = await sys.newestRunId();
    const held = await sys.waitForRun(id, (r) => r.hasPlan);
    // The file source's first run: held for a first look, with nothing of the SCIM source's in its plan.
    expect(held).toMatchObject({ status: 'held', planCounts: { created: 1, blocked: 0, errors: 1 } });
    await unary(sys.runs, 'applyRun', { runId: id, actor: ACTOR, scope: undefined, reason: '' });
    const done = await sys.waitForRun(id, (r) => FINAL.has(r.status));
    expect(done).toMatchObject({ status: 'complete', counts: { created: 1, blocked: 0, errors: 1 } });
    expect(await sys.lookupUser('member0@corp.example')).toMatchObject({
      source: 'scim',
      active: true,
      nameFirst: 'Member0',
    });
    expect(await sys.lookupUser('alice')).toMatchObject({ source: 'file', active: true });
    const log = (await unary(sys.runs, 'getRunLog', {
      runId: id,
      pageSize: 100,
      pageToken: '',
      level: runsV1.LogLevel.LOG_LEVEL_UNSPECIFIED,
    })) as {
      lines: { text: string }[];
    };
    expect(log.lines.map((l) => l.text)).toContain(
      'ERROR: User member0@corp.example belongs to the scim source; this file run leaves them unchanged',
    );
  }, 60_000);

  it("takes Entra's API-driven inbound bulk upload to the directory through the same runs", async () => {
    const body = readFileSync(new URL('../../docs/samples/entra/bulk-request.json', import.meta.url), 'utf8');
    const res = await fetch(`${sys.gatewayUrl}/scim/v2/bulkUpload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scimKey}`, 'content-type': 'application/scim+json' },
      body,
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toMatch(/\/scim\/v2\/bulkUpload\/[0-9a-f-]{36}$/);
    await settled(async () => (await idle()) && (await lookupOrNone('bjensen@contoso.com')).length === 1);
    expect(await sys.lookupUser('bjensen@contoso.com')).toMatchObject({
      source: 'scim',
      active: true,
      nameFirst: 'Barbara',
      nameLast: 'Jensen',
      email: 'bjensen@contoso.com',
    });
    // The leaver arrives inactive: the SCIM source has it, the directory never gets an account for it.
    expect(await lookupOrNone('leaver@contoso.com')).toEqual([]);
  }, 60_000);

  it("maps custom attributes with the admin's SCIM control file, re-mapping every SCIM user", async () => {
    const before = (await scimRuns()).map((r) => r.id);
    const uploaded = (await unary(sys.runs, 'uploadControlFile', {
      // The built-in mapping plus extension attributes to tags (packages/control-file/README.md's example).
      content: readFileSync(new URL('../../docs/samples/entra/scim-control-file.json', import.meta.url), 'utf8'),
      reason: 'HR numbers and departments from Entra',
      actor: ACTOR,
      source: 'scim',
    })) as runsV1.UploadControlFileResponse;
    expect(uploaded.errors).toEqual([]);
    expect(uploaded.controlFile).toMatchObject({ source: 'scim', current: true, expectedFiles: ['users'] });

    // No SCIM request: the new mapping alone makes the next window re-map everyone already provisioned.
    const runs = await settled(
      async (all) =>
        all.some((r) => !before.includes(r.id)) &&
        (await idle()) &&
        (await sys.lookupUser('bjensen@contoso.com')).tags.employeeNumber === '701984',
    );
    expect((await sys.lookupUser('bjensen@contoso.com')).tags).toMatchObject({
      employeeNumber: '701984',
      department: 'Tour Operations',
      workerId: '701984',
    });
    // The batcher may open the re-mapping run at once (so before is read before the upload), and a window
    // can split it from a change still waiting: the new runs are counted together, and bjensen is the one
    // SCIM user whose mapping changed.
    const fresh = runs.filter((r) => !before.includes(r.id));
    const total = (key: 'updated' | 'created' | 'blocked') => fresh.reduce((n, r) => n + (r.counts?.[key] ?? 0), 0);
    expect(
      { updated: total('updated'), created: total('created'), blocked: total('blocked') },
      JSON.stringify(fresh.map(brief)),
    ).toEqual({
      updated: 1,
      created: 0,
      blocked: 0,
    });
    // The file feed's control file is still the file feed's.
    const file = (await unary(sys.runs, 'getControlFile', { source: '' })) as runsV1.GetControlFileResponse;
    expect(file.controlFile).toMatchObject({ source: 'file' });
  }, 60_000);

  it('holds a SCIM run that deactivates 40 % of the users until an admin approves it', async () => {
    const before = (await scimRuns()).map((r) => r.id);
    // The IdP deprovisions four of ten at once, Entra's way: PATCH replace with a value object, no path.
    const answers = await Promise.all(
      ids.slice(0, 4).map((id) =>
        scim('PATCH', `/Users/${id}`, {
          schemas: [PATCH],
          Operations: [{ op: 'Replace', value: { active: 'False' } }],
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // The client reads back what it wrote at once; the directory waits for the run.
    expect((await scim('GET', `/Users/${ids[0]}`)).body.active).toBe(false);

    const heldRuns: { id: number; reason: string; blocked: number }[] = [];
    await settled(async (runs) => {
      const fresh = runs.filter((r) => !before.includes(r.id));
      for (const r of fresh) {
        const status = await sys.runStatus(r.id);
        if (status.status === 'held' && status.hasPlan && !heldRuns.some((h) => h.id === r.id)) {
          heldRuns.push({ id: r.id, reason: status.holdReason?.code ?? '', blocked: status.planCounts?.blocked ?? 0 });
          // Nothing is blocked while the run waits for the admin.
          expect((await lookupOrNone('member0@corp.example'))[0]?.active).toBe(true);
          await unary(sys.runs, 'applyRun', {
            runId: r.id,
            actor: ACTOR,
            scope: undefined,
            reason: 'IdP change confirmed',
          });
        }
      }
      const blocked = await Promise.all([0, 1, 2, 3].map((i) => lookupOrNone(`member${i}@corp.example`)));
      return fresh.length > 0 && (await idle()) && blocked.every((m) => m[0]?.active === false);
    });
    // However the batcher's windows split the four PATCHes, the deprovisioning never applied on its own.
    expect(heldRuns.length).toBeGreaterThanOrEqual(1);
    expect(['block_threshold', 'block_window']).toContain(heldRuns[0]!.reason);
    expect(heldRuns[0]!.blocked).toBeGreaterThanOrEqual(2);
    for (const i of [0, 1, 2, 3]) {
      expect(await sys.lookupUser(`member${i}@corp.example`)).toMatchObject({ source: 'scim', active: false });
    }
    expect(await sys.lookupUser('member4@corp.example')).toMatchObject({ active: true });
    expect(await sys.lookupUser('alice')).toMatchObject({ active: true });
  }, 90_000);
});

/** No SCIM change waits for a run (the batcher took them all). */
async function idle(): Promise<boolean> {
  const runs = await scimRuns();
  return runs.every((r) => FINAL.has(statusText(r)));
}

function statusText(r: runsV1.Run): string {
  // RunStatus enum names are RUN_STATUS_<NAME>.
  return String(runsV1.RunStatus[r.status] ?? '')
    .replace(/^RUN_STATUS_/, '')
    .toLowerCase();
}
