/**
 * User search (issue 17 item 4) through the portal's lookup page and LookupService.SearchUsers, over
 * the real lookup-service and a directory migrated by apply-worker (migration 007 adds the indexes):
 * username and email prefixes, first, last and "first last" names, case-insensitive, paged by username.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ServiceApp } from '@usersync/platform';
import { freePort } from '@usersync/devstack';
import * as lookupService from '@usersync/lookup-service';
import { createHarness, type Harness } from '../../../services/apply-worker/test/support/harness.js';
import { MIGRATIONS_DIR, OWNER } from '../../src/app.js';
import { openDatabase } from '@usersync/platform';
import { createAdminAccount } from '../../src/security/admin-accounts.js';
import { createKeyClient } from '../../src/clients/key.client.js';
import { createLookupClient, type LookupClient } from '../../src/clients/lookup.client.js';
import { createRunClient } from '../../src/clients/run.client.js';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { ADMIN, NOWHERE, signIn, silentLog } from '../support.js';

let h: Harness;
let service: ServiceApp;
let lookup: LookupClient;
let app: FastifyInstance;
let cookies: Record<string, string>;
const keys = createKeyClient(NOWHERE);
const runClient = createRunClient(NOWHERE, () => undefined);
const get = (url: string) => app.inject({ url, cookies });
const usernames = (html: string) =>
  [...html.matchAll(/<tr data-testid="lookup-result">\s*<td><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

beforeAll(async () => {
  h = await createHarness();
  await h.pool.query(
    `INSERT INTO directory."user" (username, name_first, name_last, email) VALUES
       ('asmith', 'Ann', 'Smith', 'ann.smith@example.org'),
       ('bsmith', 'Bob', 'Smithers', 'bob@example.org'),
       ('cjones', 'Carla', 'Jones', 'Carla.Jones@Example.org'),
       ('a_b', 'Under', 'Score', 'ab@example.org'),
       ('axb', 'Not', 'Underscore', 'axb@example.org'),
       ('dsmith', 'Ann', 'Smithson', 'dee@other.org')`,
  );
  // 30 Millers for paging (miller00 … miller29).
  await h.pool.query(
    `INSERT INTO directory."user" (username, name_first, name_last, email)
     SELECT 'miller' || lpad(n::text, 2, '0'), 'Pat', 'Miller', 'pat' || n || '@example.org' FROM generate_series(0, 29) n`,
  );
  const [grpcPort, healthPort] = [await freePort(), await freePort()];
  service = await lookupService.createApp(
    lookupService.loadConfig({ DATABASE_URL: h.db.url, GRPC_PORT: String(grpcPort), HEALTH_PORT: String(healthPort) }),
    silentLog(),
  );
  await service.start();
  const pool = await openDatabase({
    url: h.db.url,
    service: 'web-test',
    log: silentLog(),
    owner: { name: OWNER, migrationsDir: MIGRATIONS_DIR },
  });
  await pool.end();
  await createAdminAccount(h.pool, ADMIN);
  lookup = createLookupClient(`127.0.0.1:${grpcPort}`);
  const config = loadConfig({ DATABASE_URL: h.db.url, LOG_LEVEL: 'silent' });
  app = await buildServer({ pool: h.pool, config, log: silentLog(), keys, runs: runClient, lookup });
  cookies = (await signIn(app)).cookies;
}, 90_000);

afterAll(async () => {
  await app?.close();
  lookup?.close();
  keys.close();
  runClient.close();
  await service?.stop();
  await h?.close();
});

describe('user search', () => {
  it('finds by username prefix, email prefix, first, last and "first last" name, any case', async () => {
    expect(usernames((await get('/users/lookup?q=SMI')).body)).toEqual(['asmith', 'bsmith', 'dsmith']);
    expect(usernames((await get('/users/lookup?q=carla.j')).body)).toEqual(['cjones']);
    expect(usernames((await get('/users/lookup?q=ann')).body)).toEqual(['asmith', 'dsmith']);
    expect(usernames((await get('/users/lookup?q=jon')).body)).toEqual(['cjones']);
    expect(usernames((await get(`/users/lookup?q=${encodeURIComponent('Ann  Smiths')}`)).body)).toEqual(['dsmith']);
    expect(usernames((await get('/users/lookup?q=bs')).body)).toEqual(['bsmith']);
    // An email query (with @) does not match names.
    expect(usernames((await get('/users/lookup?q=dee%40')).body)).toEqual(['dsmith']);
  });

  it('treats LIKE characters literally', async () => {
    expect(usernames((await get('/users/lookup?q=a_')).body)).toEqual(['a_b']);
    const none = await get('/users/lookup?q=%25');
    expect(none.body).toContain('data-testid="lookup-none"');
  });

  it('shows an exact username at once, with a link to the other matches', async () => {
    const res = await get('/users/lookup?q=asmith');
    expect(res.body).toContain('data-testid="lookup-username">asmith</dd>');
    expect(res.body).toContain('href="/users/lookup?q=asmith&amp;list=1"');
    expect(usernames((await get('/users/lookup?q=asmith&list=1')).body)).toEqual(['asmith']);
  });

  it('pages by username, 25 at a time', async () => {
    const first = await get('/users/lookup?q=miller');
    expect(usernames(first.body)).toEqual(Array.from({ length: 25 }, (_, i) => `miller${String(i).padStart(2, '0')}`));
    const next = /href="([^"]+)" rel="next"/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await get(next);
    expect(usernames(second.body)).toEqual(['miller25', 'miller26', 'miller27', 'miller28', 'miller29']);
    expect(second.body).not.toContain('rel="next"');
    const page = await lookup.searchUsers('pat', 10);
    expect(page.users).toHaveLength(10);
    expect(page.nextPageToken).not.toBe('');
    await expect(lookup.searchUsers('pat', 10, '!!')).rejects.toMatchObject({ code: 'LOOKUP_PAGE_TOKEN_INVALID' });
  });

  it('uses the search indexes (migration 007) rather than scanning the table', async () => {
    await h.pool.query('ANALYZE directory."user"');
    const plan = async (where: string) => {
      const client = await h.pool.connect();
      try {
        await client.query('SET enable_seqscan = off');
        const { rows } = await client.query(`EXPLAIN SELECT id FROM directory."user" WHERE ${where}`);
        return rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      } finally {
        await client.query('RESET enable_seqscan');
        client.release();
      }
    };
    expect(await plan(`lower(name_last) COLLATE "C" LIKE 'smi%'`)).toContain('user_last_name_prefix_idx');
    expect(await plan(`lower(name_first || ' ' || name_last) COLLATE "C" LIKE 'ann s%'`)).toContain(
      'user_full_name_prefix_idx',
    );
    expect(await plan(`lower(email) COLLATE "C" LIKE 'ann%'`)).toContain('user_email_prefix_idx');
    expect(await plan(`username COLLATE "C" LIKE 'ann%'`)).toContain('user_username_c_idx');
  });
});
