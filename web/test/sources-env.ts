/**
 * The SCIM source seeded through the real path, for the Sources tests and screenshots: a `scim` key made in
 * key-service, users and a group created over HTTP at the gateway's /scim/v2, the batcher's run applied by
 * the real apply worker (so lookup finds SCIM users), then a change left waiting, a refused request and a
 * last request, written by the gateway's request recorder.
 */
import { pino } from 'pino';
import { batchScimChanges } from '../../services/ingest-gateway/src/usecases/scim-batcher.js';
import { processRun } from '../../services/apply-worker/src/usecases/apply-run.js';
import type { RunsEnv } from './runs-env.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const silent = pino({ level: 'silent' });

export interface ScimSeed {
  keyId: string;
  keyName: string;
  /** The applied run of the scim source. */
  runId: number;
  /** A SCIM user the directory holds (lookup finds it). */
  username: string;
}

/** A SCIM call with `token` as Bearer; answers the status and the JSON body. */
export async function scimCall(env: RunsEnv, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${env.gateway.baseUrl}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Waits until the gateway's recorder has written a last request (it writes at most once a second). */
export async function recordedRequest(env: RunsEnv, status: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const { rows } = await env.runsDb.query<{ s: number | null }>(
      `SELECT (last_request->>'status')::int AS s FROM scim.source_state`,
    );
    if (rows[0]?.s === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no last request with status ${status} was recorded`);
}

/**
 * Batches the waiting SCIM changes into a run now and returns it. With a short window the gateway's own
 * batcher may take them first: then its open run is the one.
 */
export async function batchNow(env: RunsEnv): Promise<number> {
  const batch = await batchScimChanges({ pool: env.runsDb, objects: env.gateway.objects, log: silent });
  if (batch.kind === 'opened' || batch.kind === 'waiting') return batch.runId;
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const { rows } = await env.runsDb.query<{ id: string }>(
      `SELECT id FROM runs.run WHERE source = 'scim' AND status IN ('ready', 'held', 'running') ORDER BY id DESC LIMIT 1`,
    );
    if (rows[0]) return Number(rows[0].id);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the SCIM batch did not open a run: ${batch.kind}`);
}

/** Seeds the SCIM source (the directory schema must be migrated: apply-worker's harness `migrate`). */
export async function seedScimSource(env: RunsEnv, keyName = 'Entra ID provisioning'): Promise<ScimSeed> {
  const created = await env.portal.keys.createKey({ name: keyName, scopes: ['scim'] }, { id: '1', displayName: 'Ada' });
  const token = created.secret;
  const ids: string[] = [];
  for (const [userName, given, family] of [
    ['ann.scim@corp.example', 'Ann', 'Lee'],
    ['ben.scim@corp.example', 'Ben', 'Okafor'],
    ['cy.scim@corp.example', 'Cy', 'Tan'],
  ] as const) {
    const res = await scimCall(env, token, 'POST', '/Users', {
      schemas: [USER],
      userName,
      name: { givenName: given, familyName: family },
      emails: [{ value: userName, type: 'work', primary: true }],
    });
    if (res.status !== 201) throw new Error(`SCIM create failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(String(res.body.id));
  }
  await scimCall(env, token, 'POST', '/Groups', {
    schemas: [GROUP],
    displayName: 'Sales',
    members: [{ value: ids[0] }],
  });
  const deps = { pool: env.runsDb, objects: env.gateway.objects, log: silent };
  const runId = await batchNow(env);
  const outcome = await processRun(deps, runId);
  if (outcome !== 'complete') throw new Error(`SCIM run ${runId} ended ${outcome}`);
  // After the run: one change waiting, a refused client, and a last request that succeeded.
  await scimCall(env, token, 'PATCH', `/Users/${ids[2]}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'title', value: 'Account manager' }],
  });
  await scimCall(env, 'usk_not_a_key', 'GET', '/Users');
  await recordedRequest(env, 401);
  await scimCall(env, token, 'GET', `/Users?filter=${encodeURIComponent('userName eq "ann.scim@corp.example"')}`);
  await recordedRequest(env, 200);
  return { keyId: created.key!.id, keyName, runId, username: 'ann.scim@corp.example' };
}
