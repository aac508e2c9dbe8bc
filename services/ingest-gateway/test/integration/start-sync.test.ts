/**
 * start-sync's four outcomes in all three response kinds (reference §1.5), the file check against
 * the last applied run (H3), the events each outcome leaves in the outbox, and supersede.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commonV1 } from '@usersync/contracts';
import type { runsV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import { ADMIN, startGatewayEnv, type GatewayEnv } from '../support/gateway-env.js';
import {
  cancelOpenRuns,
  completeRun,
  controlFile,
  outboxSubjects,
  runStatus,
  startSync,
  upload,
  usersFile,
} from '../support/fixtures.js';

let env: GatewayEnv;

beforeAll(async () => {
  env = await startGatewayEnv({ INGEST_START_SYNC_WAIT_MS: '0' });
});
afterAll(async () => {
  await env?.stop();
});
beforeEach(async () => {
  await cancelOpenRuns(env);
});

const FORMATS = ['', '/json', '/xml'] as const;

/** The exact body of each outcome in each format. */
/**
 * Haplo's answer in each form: plain text exactly; JSON and XML start with Haplo's keys and attributes in
 * Haplo's order, then usersync's (run id and status URL, the hold) follow.
 */
function expected(format: (typeof FORMATS)[number], message: string, status: string, error: boolean) {
  if (format === '/json') {
    return expect.toSatisfy((text: string) => {
      const body = JSON.parse(text) as Record<string, unknown>;
      return (
        JSON.stringify(Object.keys(body).slice(0, 3)) === '["status","error","message"]' &&
        body.status === status &&
        body.error === error &&
        body.message === message
      );
    }, `JSON ${status} ${message}`);
  }
  if (format === '/xml') {
    const head = `<response><sync error="${error}" status="${status}"`;
    return expect.toSatisfy(
      (text: string) =>
        text.startsWith(head) &&
        /^( [a-z-]+="[^"]*")*>/.test(text.slice(head.length)) &&
        text.endsWith(`>${message}</sync></response>`),
      `XML ${status} ${message}`,
    );
  }
  return message;
}

async function readyRun(users = usersFile(10)): Promise<number> {
  await upload(env, '_control', controlFile(['users']));
  await upload(env, 'users', users);
  const { rows } = await env.pool.query<{ id: string; status: string }>(
    'SELECT id, status FROM runs.run ORDER BY id DESC LIMIT 1',
  );
  expect(rows[0]!.status).toBe('ready');
  return Number(rows[0]!.id);
}

async function setAutoApply(autoApply: boolean): Promise<void> {
  const current = (await unary(env.runs, 'getConfig', {})) as runsV1.GetConfigResponse;
  await unary(env.runs, 'updateConfig', { config: { ...current.config!, autoApply }, actor: ADMIN });
}

describe('start-sync', () => {
  it('answers unready when there is no run, in all three kinds', async () => {
    const message = 'Last sync is not ready. Upload all the required files.';
    for (const format of FORMATS) {
      const res = await startSync(env, format);
      expect(res.status).toBe(format === '' ? 400 : 200);
      expect(res.text).toEqual(expected(format, message, 'missing-files', true));
    }
    expect((await startSync(env, '', '/api/haplo-user-sync')).status).toBe(400);
  });

  it('holds the first run (first_run) with the unsafe message, then answers unready to a second call', async () => {
    const message = 'OK: Files uploaded are too different to previous sync; must apply manually.';
    for (const format of FORMATS) {
      await cancelOpenRuns(env);
      const id = await readyRun();
      const res = await startSync(env, format);
      expect(res.status).toBe(200);
      expect(res.text).toEqual(expected(format, message, 'admin-intervention-required', false));
      expect((await runStatus(env, id)).body).toMatchObject({
        status: 'held',
        holdReason: { code: 'first_run', text: expect.stringMatching(/first sync run/) },
      });
      const again = await startSync(env, format);
      expect(again.text).toEqual(
        expected(format, 'Last sync is not ready. Upload all the required files.', 'missing-files', true),
      );
    }
    // Each held run goes to the worker to be planned (it announces sync.run.held once the plan is stored).
    expect((await outboxSubjects(env)).filter((s) => s === 'sync.run.queued').length).toBeGreaterThanOrEqual(3);
    expect(await outboxSubjects(env)).not.toContain('sync.run.held');
  });

  it('holds an uploading run as unready', async () => {
    await upload(env, '_control', controlFile(['users', 'staff']));
    const res = await startSync(env);
    expect(res.status).toBe(400);
  });

  describe('after a run was applied', () => {
    beforeAll(async () => {
      await cancelOpenRuns(env);
      const id = await readyRun(usersFile(100));
      await unary(env.runs, 'applyRun', { runId: id, actor: ADMIN, scope: undefined, reason: '' });
      await completeRun(env, id);
    });

    it('queues a run whose files are within 10% of the last applied run, in all three kinds', async () => {
      for (const format of FORMATS) {
        await cancelOpenRuns(env);
        const id = await readyRun(usersFile(100, 'v'));
        const before = (await outboxSubjects(env)).length;
        const res = await startSync(env, format);
        expect(res.status).toBe(200);
        expect(res.text).toEqual(expected(format, 'OK. Sync queued.', 'queued-for-apply', false));
        expect((await runStatus(env, id)).body).toMatchObject({ status: 'running', holdReason: null });
        expect((await outboxSubjects(env)).slice(before)).toEqual(['sync.run.queued']);
        await cancelOpenRuns(env);
      }
    });

    it('holds a run whose data file changed size by more than 10% (files_too_different)', async () => {
      for (const format of FORMATS) {
        await cancelOpenRuns(env);
        const id = await readyRun(usersFile(150));
        const res = await startSync(env, format);
        expect(res.text).toEqual(
          expected(
            format,
            'OK: Files uploaded are too different to previous sync; must apply manually.',
            'admin-intervention-required',
            false,
          ),
        );
        const body = (await runStatus(env, id)).body as { holdReason: { code: string }; holdDetail: string };
        expect(body.holdReason.code).toBe('files_too_different');
        expect(body.holdDetail).toMatch(/users changed size/);
      }
    });

    it('compares with the last applied run, not the last created one (H3)', async () => {
      // A cancelled run with very different files sits between the applied run and this one.
      await readyRun(usersFile(400));
      await cancelOpenRuns(env);
      await readyRun(usersFile(100, 'w'));
      expect((await startSync(env)).text).toBe('OK. Sync queued.');
    });

    it('holds every run with the disabled message when auto-apply is off (auto_apply_off)', async () => {
      await setAutoApply(false);
      try {
        for (const format of FORMATS) {
          await cancelOpenRuns(env);
          const id = await readyRun(usersFile(100, 'x'));
          const res = await startSync(env, format);
          expect(res.status).toBe(200);
          expect(res.text).toEqual(
            expected(format, 'OK: Auto apply disabled; must apply manually.', 'admin-intervention-required', false),
          );
          expect((await runStatus(env, id)).body).toMatchObject({ holdReason: { code: 'auto_apply_off' } });
        }
      } finally {
        await setAutoApply(true);
      }
    });
  });
});

describe('a held run and the next upload', () => {
  it('supersedes a held run: cancelled with "superseded by run N", and the upload lands in run N', async () => {
    const held = await readyRun();
    await startSync(env);
    const res = await upload(env, '_control', controlFile(['users']));
    expect(res.status).toBe(200);
    const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
    const next = Number(rows[0]!.id);
    expect(next).toBeGreaterThan(held);
    expect((await runStatus(env, held)).body).toMatchObject({
      status: 'cancelled',
      cancelReason: `superseded by run ${next}`,
    });
    expect((await runStatus(env, next)).body).toMatchObject({ status: 'uploading' });
    expect((await outboxSubjects(env)).at(-1)).toBe('sync.run.cancelled');
  });

  it("refuses the upload with Haplo's message when supersedeHeldRuns is off", async () => {
    const current = (await unary(env.runs, 'getConfig', {})) as runsV1.GetConfigResponse;
    await unary(env.runs, 'updateConfig', {
      config: { ...current.config!, supersedeHeldRuns: false },
      actor: { ...ADMIN, kind: commonV1.ActorKind.ACTOR_KIND_ADMIN },
    });
    try {
      const held = await readyRun();
      await startSync(env);
      const res = await upload(env, '_control', controlFile(['users']));
      expect(res.status).toBe(400);
      expect(res.text).toBe('Sync in unexpected state -- use admin interface to resolve.');
      expect((await runStatus(env, held)).body).toMatchObject({ status: 'held' });
    } finally {
      await unary(env.runs, 'updateConfig', { config: current.config, actor: ADMIN });
    }
  });
});
