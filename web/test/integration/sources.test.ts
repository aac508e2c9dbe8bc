/**
 * The Sources page, the runs list's source column and filter, the run page's source and the user page's
 * owning source, through app.inject() over a real ingest-gateway (SourceService), key-service,
 * lookup-service and a directory the real apply worker filled from a SCIM run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { freePort } from '@usersync/devstack';
import type { ServiceApp } from '@usersync/platform';
import * as keyService from '@usersync/key-service';
import * as lookupService from '@usersync/lookup-service';
import { startGatewayEnv } from '../../../services/ingest-gateway/test/support/gateway-env.js';
import { migrate } from '../../../services/apply-worker/test/support/harness.js';
import { readyRun, type RunsEnv } from '../runs-env.js';
import { signedInAdmin, type AdminRequests } from '../portal-requests.js';
import { seedScimSource, type ScimSeed } from '../sources-env.js';
import { startPortal } from '../support.js';

const silent = pino({ level: 'silent' });
let env: RunsEnv;
let admin: AdminRequests;
let services: ServiceApp[] = [];
let seed: ScimSeed;
let fileRunId: number;
const get = (url: string) => admin.get(url);
const rowsOf = (html: string) =>
  [...html.matchAll(/data-run-id="(\d+)" data-source="(\w+)"/g)].map((m) => [Number(m[1]), m[2]]);

beforeAll(async () => {
  const gateway = await startGatewayEnv({ SCIM_BATCH_WINDOW_MS: String(3_600_000) });
  await migrate(gateway.pool, silent);
  const [keyGrpc, keyHealth, lookupGrpc, lookupHealth] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const keys = await keyService.createApp(
    keyService.loadConfig({
      DATABASE_URL: gateway.db.url,
      NATS_URL: gateway.nats.url,
      GRPC_PORT: String(keyGrpc),
      HEALTH_PORT: String(keyHealth),
      LOG_LEVEL: 'warn',
    }),
    silent,
  );
  await keys.start();
  const lookup = await lookupService.createApp(
    lookupService.loadConfig({
      DATABASE_URL: gateway.db.url,
      GRPC_PORT: String(lookupGrpc),
      HEALTH_PORT: String(lookupHealth),
    }),
    silent,
  );
  await lookup.start();
  services = [lookup, keys];
  const portal = await startPortal({
    runServiceAddr: `127.0.0.1:${gateway.gateway.ports().grpc}`,
    keyServiceAddr: `127.0.0.1:${keyGrpc}`,
    env: {
      LOOKUP_SERVICE_ADDR: `127.0.0.1:${lookupGrpc}`,
      GATEWAY_PUBLIC_URL: 'https://sync.example.org/',
      PORTAL_TIME_ZONE: 'UTC',
    },
    log: silent,
  });
  env = { gateway, portal, runsDb: gateway.pool, stop: async () => undefined };
  admin = await signedInAdmin(portal);
}, 120_000);

afterAll(async () => {
  await env?.portal.close();
  for (const s of services) await s.stop();
  await env?.gateway.stop();
});

describe('the Sources page', () => {
  it('before any SCIM client: the endpoint to paste, no key, no request, a link to create a scim key', async () => {
    const res = await get('/sources');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<code data-testid="scim-endpoint">https://sync.example.org/scim/v2</code>');
    expect(html).not.toContain('data-testid="endpoint-warning"');
    expect(html).toContain('None yet: no SCIM client has called');
    expect(html).toContain('There is no active SCIM key');
    expect(html).toContain('href="/api-keys/new?purpose=scim"');
    expect(html).toContain('No SCIM runs yet');
    expect(html).toMatch(/<a href="\/sources" aria-current="page">Sources<\/a>/);
  });

  it('the create-key link preselects the scim purpose', async () => {
    const res = await get('/api-keys/new?purpose=scim');
    expect(res.body).toMatch(/<option value="scim" selected/);
    expect((await get('/api-keys/new?purpose=other')).body).toMatch(/<option value="sync:upload" selected/);
  });

  it('shows the SCIM key, last request and last failed request, counts, changes waiting and runs', async () => {
    seed = await seedScimSource(env, 'Entra <ID> & co');
    fileRunId = await readyRun(env);
    const html = (await get('/sources')).body;
    const lastRequest = /data-testid="last-request">([\s\S]*?)<\/dd>/.exec(html)![1]!;
    expect(lastRequest).toContain('<code>GET /scim/v2/Users</code>');
    expect(lastRequest).not.toContain('filter');
    expect(lastRequest).toContain('200</span> OK');
    expect(lastRequest).toContain('Key: Entra &lt;ID&gt; &amp; co');
    const failed = /data-testid="last-failed-request">([\s\S]*?)<\/dd>/.exec(html)![1]!;
    expect(failed).toContain('401</span> Refused: the token is not a valid API key');
    expect(failed).toContain('Key: none (no valid key was presented)');
    expect(html).toMatch(/data-testid="scim-users">3 active of 3/);
    expect(html).toMatch(/data-testid="changes-waiting">1: carried in the next window/);
    expect(html).toContain(`<tr data-key-id="${seed.keyId}"><td>Entra &lt;ID&gt; &amp; co</td>`);
    expect(html).not.toContain('There is no active SCIM key');
    expect(html).toContain('at most every 1 h');
    const scimTable = /data-testid="scim-runs">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(rowsOf(scimTable)).toEqual([[seed.runId, 'scim']]);
    const fileTable = /data-testid="file-runs">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(rowsOf(fileTable)).toEqual([[fileRunId, 'file']]);
    expect(html).toMatch(/data-testid="last-upload"><time/);
    expect(html).toContain(`<a href="/runs/${fileRunId}">Run ${fileRunId}</a>`);
  });

  it('says when SCIM changes wait behind a held run, and when the last key used is revoked', async () => {
    await env.runsDb.query(
      `UPDATE runs.run SET status = 'held', hold_reason = 'block_threshold', finished_at = NULL WHERE id = $1`,
      [seed.runId],
    );
    await env.portal.keys.revokeKey(seed.keyId, { id: '1', displayName: 'Ada' });
    const html = (await get('/sources')).body;
    expect(html).toContain(`1 SCIM change waits behind held run ${seed.runId}: apply or cancel it`);
    expect(html).toContain('The key the client last used, “Entra &lt;ID&gt; &amp; co”, is revoked');
    expect(html).toContain(`waiting for <a href="/runs/${seed.runId}">run ${seed.runId}</a>`);
    await env.runsDb.query(
      `UPDATE runs.run SET status = 'complete', hold_reason = NULL, finished_at = now() WHERE id = $1`,
      [seed.runId],
    );
  });

  it('warns about a plain-http endpoint and says when the gateway is down', async () => {
    const down = await startPortal({ env: { GATEWAY_PUBLIC_URL: 'http://gateway.internal:8081' } });
    try {
      const a = await signedInAdmin(down);
      const html = (await a.get('/sources')).body;
      expect(html).toContain('http://gateway.internal:8081/scim/v2');
      expect(html).toContain('Entra ID and Okta need an https:// address');
      expect(html).toContain('The ingest gateway is not answering');
      expect(html).toContain('The key service is not answering');
    } finally {
      await down.close();
    }
  });
});

describe('runs by source', () => {
  it('the runs list has a Source column and filters by source, paging within it', async () => {
    const all = (await get('/')).body;
    expect(all).toContain('<th scope="col">Source</th>');
    expect(rowsOf(all)).toEqual([
      [fileRunId, 'file'],
      [seed.runId, 'scim'],
    ]);
    expect(all).toMatch(/<a href="\/" aria-current="true">Every source<\/a>/);
    const scim = (await get('/?source=scim')).body;
    expect(rowsOf(scim)).toEqual([[seed.runId, 'scim']]);
    expect(scim).toMatch(/<a href="\/\?source=scim" aria-current="true">SCIM<\/a>/);
    expect(scim).toContain('<td>SCIM</td>');
    expect(rowsOf((await get('/?source=file')).body)).toEqual([[fileRunId, 'file']]);
    // Anything else lists every source.
    expect(rowsOf((await get('/?source=%3Cx%3E')).body)).toHaveLength(2);

    await env.runsDb.query(
      `INSERT INTO runs.run (status, expected_files, source, finished_at)
       SELECT 'cancelled', '{_control,users}', 'scim', now() FROM generate_series(1, 11)`,
    );
    const first = (await get('/?source=scim')).body;
    expect(rowsOf(first).every(([, s]) => s === 'scim')).toBe(true);
    const older = /href="([^"]+)" rel="next">Older runs/.exec(first)![1]!.replace(/&amp;/g, '&');
    expect(older).toMatch(/^\/\?source=scim&page=/);
    const second = rowsOf((await get(older)).body);
    expect(second.map(([, s]) => s)).toEqual(['scim', 'scim']);
    expect(second.map(([id]) => id)).toContain(seed.runId);
  });

  it('the run page says which source the run carries; a SCIM run says its data file is a snapshot', async () => {
    const scim = (await get(`/runs/${seed.runId}`)).body;
    expect(scim).toMatch(
      /data-testid="run-source" data-source="scim"><a href="\/sources">SCIM<\/a>: SCIM provisioning/,
    );
    expect(scim).toContain('data-testid="scim-snapshot-note"');
    expect(scim).toContain('snapshot of the SCIM source’s active users');
    const file = (await get(`/runs/${fileRunId}`)).body;
    expect(file).toMatch(/data-testid="run-source" data-source="file"><a href="\/sources">File feed<\/a>/);
    expect(file).not.toContain('data-testid="scim-snapshot-note"');
  });
});

describe('the user page', () => {
  it('shows the owning source: Provisioned by SCIM', async () => {
    const html = (await get(`/users/lookup?q=${encodeURIComponent(seed.username)}`)).body;
    expect(html).toMatch(/data-testid="lookup-source" data-source="scim"><strong>Provisioned by SCIM<\/strong>/);
    expect(html).toContain('In the latest SCIM snapshot?');
  });

  it('shows the owning source: From the file feed', async () => {
    // A user of the file feed, as a file run leaves it in the directory.
    await env.runsDb.query(
      `INSERT INTO directory."user" (username, name_first, name_last, email, source, in_feed)
       VALUES ('fiona.file', 'Fiona', 'File', 'fiona@example.org', 'file', true)`,
    );
    const html = (await get('/users/lookup?q=fiona.file')).body;
    expect(html).toMatch(/data-testid="lookup-source" data-source="file"><strong>From the file feed<\/strong>/);
    expect(html).toContain('In most recent feed?');
  });
});
