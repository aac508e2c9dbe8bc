/**
 * No Docker engine runs on these machines, so the deployment files are checked as data: every
 * process is deployed in compose and in Kubernetes, with every variable its config requires, a
 * health check or probes on the right port, a non-root user, and ports that match the defaults.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigError } from '@usersync/platform';
import { SERVICES } from '@usersync/devstack';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

type Env = Record<string, string | number>;
interface ComposeService {
  image?: string;
  environment?: Env;
  ports?: string[];
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

interface K8sDoc {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
const k8sBase: K8sDoc[] = readdirSync(`${root}/deploy/k8s/base`)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(read(`deploy/k8s/base/${f}`)).map((d) => d.toJS() as K8sDoc));
const byKind = (kind: string) => k8sBase.filter((d) => d.kind === kind);

interface Container {
  name: string;
  env?: Array<{ name: string; value: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet: { path: string; port: number } };
  livenessProbe?: { httpGet: { path: string; port: number } };
  resources?: { requests?: object; limits?: object };
}
const podSpec = (d: K8sDoc) =>
  (d.spec.template as { spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } } }).spec;

/** What a service's config says: its required variables and its defaults. */
async function configOf(dir: string): Promise<{ required: string[]; defaults: Record<string, unknown> }> {
  const mod = (await import(`${root}/${dir}/src/config.ts`)) as { loadConfig: (env: Env) => Record<string, unknown> };
  let required: string[] = [];
  try {
    mod.loadConfig({});
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    required = [...err.variables];
  }
  const dummy = Object.fromEntries(required.map((name) => [name, 'postgres://x@y/z']));
  return { required, defaults: mod.loadConfig(dummy) };
}

/** Variables a k8s container gets: explicit env plus the ConfigMap and Secret it loads. */
function k8sEnv(container: Container): Set<string> {
  const names = new Set((container.env ?? []).map((e) => e.name));
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef?.name ?? from.secretRef?.name;
    const source = k8sBase.find((d) => (d.kind === 'ConfigMap' || d.kind === 'Secret') && d.metadata.name === ref);
    expect(source, `envFrom ${ref}`).toBeDefined();
    Object.keys(source!.data ?? source!.stringData ?? {}).forEach((k) => names.add(k));
  }
  return names;
}

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  it('is multi-stage, keeps production dependencies only, runs as non-root, and checks health without curl', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*node", "deploy\/healthcheck\.mjs"/m);
    expect(dockerfile).not.toMatch(/^(RUN|HEALTHCHECK).*(curl|wget)/m);
  });
});

describe('docker-compose.yml', () => {
  it.each(SERVICES.map((s) => [s.name, s] as const))('deploys %s with its config satisfied', async (name, spec) => {
    const svc = compose.services[name];
    expect(svc, name).toBeDefined();
    const env = svc!.environment ?? {};
    expect(env.SERVICE_DIR).toBe(spec.dir);
    const { required, defaults } = await configOf(spec.dir);
    for (const variable of required) expect(Object.keys(env), `${name} needs ${variable}`).toContain(variable);
    for (const [variable, port] of Object.entries(spec.ports)) {
      expect(Number(env[variable]), `${name} ${variable}`).toBe(port);
      expect(defaults[variable], `${name} config default ${variable}`).toBe(port);
    }
    expect(env.NODE_OPTIONS, `${name} NODE_OPTIONS`).toBe(spec.nodeOptions);
    expect(svc!.image).toBe('usersync:local');
    expect(svc!.depends_on?.setup?.condition).toBe('service_completed_successfully');
  });

  it('publishes only the portal and the ingest API', () => {
    const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length);
    expect(published.map(([n, s]) => [n, s.ports])).toEqual([
      ['ingest-gateway', ['8081:8081']],
      ['web', ['8080:8080']],
    ]);
  });

  it('health-gates the infrastructure and runs setup once before the services', () => {
    for (const infra of ['postgres', 'nats', 'minio'])
      expect(compose.services[infra]?.healthcheck, infra).toBeDefined();
    expect(compose.services.setup?.command).toEqual(['node', 'packages/cli/dist/main.js', 'setup']);
    expect(Object.values(compose.services.setup!.depends_on!).map((d) => d.condition)).toEqual([
      'service_healthy',
      'service_healthy',
      'service_healthy',
    ]);
  });

  it('lists every variable it reads in .env.example', () => {
    const used = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]));
    const listed = new Set([...read('.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    for (const name of used) expect(listed, name).toContain(name);
  });
});

describe('deploy/k8s', () => {
  it.each(SERVICES.map((s) => [s.name, s] as const))(
    'deploys %s with probes, limits and its config',
    async (name, spec) => {
      const deployment = byKind('Deployment').find((d) => d.metadata.name === name);
      expect(deployment, name).toBeDefined();
      const pod = podSpec(deployment!);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      const [container] = pod.containers;
      expect(container!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: spec.healthPort });
      expect(container!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: spec.healthPort });
      expect(container!.resources?.requests).toBeDefined();
      expect(container!.resources?.limits).toBeDefined();
      const env = k8sEnv(container!);
      const { required } = await configOf(spec.dir);
      for (const variable of required) expect([...env], `${name} needs ${variable}`).toContain(variable);
      const explicit = Object.fromEntries((container!.env ?? []).map((e) => [e.name, e.value]));
      expect(explicit.SERVICE_DIR).toBe(spec.dir);
      for (const [variable, port] of Object.entries(spec.ports)) expect(Number(explicit[variable])).toBe(port);
      expect(explicit.NODE_OPTIONS, `${name} NODE_OPTIONS`).toBe(spec.nodeOptions);
      expect(byKind('PodDisruptionBudget').map((d) => d.metadata.name)).toContain(name);
      // Prometheus finds /metrics on the probe port (the same server answers /healthz, /readyz, /metrics).
      const annotations = (deployment!.spec.template as { metadata: { annotations?: Record<string, string> } }).metadata
        .annotations;
      expect(annotations, name).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(spec.healthPort),
        'prometheus.io/path': '/metrics',
      });
    },
  );

  it('runs the setup job as non-root with the shared config', () => {
    const [job] = byKind('Job');
    expect(podSpec(job!).securityContext?.runAsNonRoot).toBe(true);
    expect((podSpec(job!).containers[0] as Container & { command: string[] }).command).toContain('setup');
  });

  it('scales every process to at least two replicas in the production overlay', () => {
    const overlay = parse(read('deploy/k8s/overlays/production/kustomization.yaml')) as {
      replicas: Array<{ name: string; count: number }>;
    };
    for (const spec of SERVICES) {
      const entry = overlay.replicas.find((r) => r.name === spec.name);
      expect(entry?.count, spec.name).toBeGreaterThanOrEqual(2);
    }
    const base = parse(read('deploy/k8s/base/kustomization.yaml')) as { resources: string[] };
    for (const file of readdirSync(`${root}/deploy/k8s/base`).filter((f) => f !== 'kustomization.yaml'))
      expect(base.resources, file).toContain(file);
  });
});
