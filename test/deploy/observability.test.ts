/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/ name only metrics the services
 * really export: every service is started from its real main.ts (real PostgreSQL, NATS, S3) and its
 * /metrics scraped; each metric a dashboard panel or an alert expression references must be among them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestDatabase, startTestNats, testS3, type TestDatabase, type TestNats } from '@usersync/devstack';
import { spawnServices, type SpawnedSystem } from '../support/spawn-services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Array<{ expr: string; refId: string }>;
  datasource?: { uid: string };
}
const alerts = parse(read('deploy/prometheus/alerts.yml')) as { groups: Array<{ name: string; rules: Rule[] }> };
const dashboard = JSON.parse(read('deploy/grafana/usersync.json')) as { uid: string; title: string; panels: Panel[] };
const rules = alerts.groups.flatMap((g) => g.rules);
const panelExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr })));
const ruleExprs = rules.map((r) => ({ where: r.alert, expr: r.expr }));

/** usersync_* metric names an expression reads. */
const referenced = (expr: string) => [...expr.matchAll(/\b(usersync_[a-z0-9_]+)\b/g)].map((m) => m[1]!);

/** Metric families a /metrics text declares, with the series names a histogram or summary adds. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

describe('deploy/prometheus/alerts.yml and deploy/grafana/usersync.json, as files', () => {
  it('has the alerts an operator needs, each with severity, summary and description', () => {
    const byName = new Map(rules.map((r) => [r.alert, r]));
    for (const [alert, metric] of [
      ['UsersyncRunHeldTooLong', 'usersync_runs_held_oldest_age_seconds'],
      ['UsersyncNoSuccessfulApply', 'usersync_last_successful_apply_timestamp_seconds'],
      ['UsersyncConsumerLag', 'usersync_consumer_lag'],
      ['UsersyncOutboxBacklog', 'usersync_outbox_backlog'],
    ] as const)
      expect(byName.get(alert)?.expr, alert).toContain(metric);
    for (const r of rules) {
      expect(['warning', 'critical'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary.length, r.alert).toBeGreaterThan(10);
      expect(r.annotations.description.length, r.alert).toBeGreaterThan(10);
      if (r.for) expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('is a Grafana dashboard whose panels query the datasource variable, with balanced expressions', () => {
    expect(dashboard).toMatchObject({ uid: 'usersync-overview', title: 'usersync' });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
    for (const { where, expr } of [...panelExprs, ...ruleExprs]) {
      let depth = 0;
      for (const c of expr) {
        depth += c === '(' ? 1 : c === ')' ? -1 : 0;
        expect(depth, `${where}: ${expr}`).toBeGreaterThanOrEqual(0);
      }
      expect(depth, `${where}: ${expr}`).toBe(0);
      expect(referenced(expr).length, `${where} reads no usersync metric`).toBeGreaterThan(0);
    }
  });
});

describe('every metric they reference is exported by a running service', () => {
  let db: TestDatabase;
  let nats: TestNats;
  let system: SpawnedSystem | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    const s3 = testS3();
    system = await spawnServices({
      env: {
        DATABASE_URL: db.url,
        NATS_URL: nats.url,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_BUCKET: s3.bucket,
        LOG_LEVEL: 'warn',
      },
    });
    await system.waitReady(90_000);
  }, 120_000);

  afterAll(async () => {
    system?.kill();
    await nats?.stop();
    await db?.drop();
  });

  it('finds each one on some service’s /metrics, and the run gauges read the database', async () => {
    const scraped = new Map<string, string>();
    for (const s of system!.services) scraped.set(s.name, await (await fetch(`${s.healthUrl}/metrics`)).text());
    const all = new Set([...scraped.values()].flatMap((t) => [...exported(t)]));
    const missing = [...panelExprs, ...ruleExprs].flatMap(({ where, expr }) =>
      referenced(expr)
        .filter((m) => !all.has(m))
        .map((m) => `${where}: ${m}`),
    );
    expect(missing).toEqual([]);

    // Where each business metric comes from, and what a fresh installation reports.
    const gateway = scraped.get('ingest-gateway')!;
    expect(gateway).toMatch(/^usersync_run_gauges_up 1$/m);
    expect(gateway).toMatch(/^usersync_runs_held 0$/m);
    expect(gateway).toMatch(/^usersync_runs_held_oldest_age_seconds 0$/m);
    expect(gateway).toMatch(/^usersync_runs_finished\{outcome="complete"\} 0$/m);
    expect(gateway).toContain('# TYPE usersync_last_successful_apply_timestamp_seconds gauge');
    const worker = scraped.get('apply-worker')!;
    expect(worker).toContain('# TYPE usersync_run_phase_duration_seconds histogram');
    expect(worker).toContain('# TYPE usersync_run_records histogram');
    expect(worker).toContain('# TYPE usersync_runs_processed_total counter');
    expect(worker).toMatch(/^usersync_consumer_lag\{[^}]*\} \d+$/m);
  }, 60_000);
});
