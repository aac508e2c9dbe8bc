/**
 * Starts every process of the system (SERVICES from @usersync/devstack) from its real src/main.ts as
 * a child process, each on free ports, wired to each other through the peer address variables.
 * Shared by the system test (start, ready, stop) and the end-to-end pipeline test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICES, freePort } from '@usersync/devstack';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One spawned service process. */
export interface SpawnedService {
  name: string;
  child: ChildProcess;
  /** stdout and stderr chunks, in arrival order (for failure messages). */
  output: string[];
  /** The port variables it was given, e.g. { HTTP_PORT: 41234, GRPC_PORT: 41235 }. */
  ports: Record<string, number>;
  /** Base URL of its /healthz, /readyz and /metrics. */
  healthUrl: string;
  /** Resolves with the exit code when the process ends. */
  exit: Promise<number | null>;
}

/** The whole system, started. */
export interface SpawnedSystem {
  services: SpawnedService[];
  /** RUN_SERVICE_ADDR, KEY_SERVICE_ADDR, LOOKUP_SERVICE_ADDR as given to every process. */
  peers: Record<string, string>;
  /** The named service; throws when there is none. */
  service(name: string): SpawnedService;
  /** Waits until every service answers 200 on /readyz; the error carries the laggard's output. */
  waitReady(timeoutMs: number): Promise<void>;
  /** SIGKILLs whatever is still running (afterAll safety net). */
  kill(): void;
}

/** The port variables chosen per service name, e.g. ports.web.HTTP_PORT. */
export type ServicePorts = Record<string, Record<string, number>>;

/** Options of spawnServices. */
export interface SpawnOptions {
  /** Environment shared by every process (DATABASE_URL, NATS_URL, S3_*, LOG_LEVEL, …). */
  env: Record<string, string>;
  /**
   * Extra environment per service name, e.g. { web: { USERSYNC_ADMIN_EMAIL: … } }, given the ports
   * chosen for every service (so one can point at another, e.g. PUBLIC_URL at the portal).
   */
  serviceEnv?: (ports: ServicePorts) => Record<string, Record<string, string>>;
}

/** Polls `url` until it answers `status`, or throws after timeoutMs with the last answer seen. */
export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status === status) return res;
      last = `${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered ${status} (last: ${last})`);
}

/** Spawns every service with `node --conditions=source --import tsx <dir>/src/main.ts` on free ports. */
export async function spawnServices(opts: SpawnOptions): Promise<SpawnedSystem> {
  const ports: ServicePorts = {};
  for (const svc of SERVICES) {
    ports[svc.name] = {};
    for (const key of Object.keys(svc.ports)) ports[svc.name]![key] = await freePort();
  }
  const peers = {
    RUN_SERVICE_ADDR: `127.0.0.1:${ports['ingest-gateway']!.GRPC_PORT}`,
    KEY_SERVICE_ADDR: `127.0.0.1:${ports['key-service']!.GRPC_PORT}`,
    LOOKUP_SERVICE_ADDR: `127.0.0.1:${ports['lookup-service']!.GRPC_PORT}`,
  };
  const serviceEnv = opts.serviceEnv?.(ports) ?? {};
  const services: SpawnedService[] = [];
  for (const svc of SERVICES) {
    const own = ports[svc.name]!;
    const env = {
      PATH: process.env.PATH,
      ...opts.env,
      ...peers,
      ...Object.fromEntries(Object.entries(own).map(([k, v]) => [k, String(v)])),
      ...serviceEnv[svc.name],
    };
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', `${svc.dir}/src/main.ts`], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    services.push({
      name: svc.name,
      child,
      output,
      ports: own,
      healthUrl: `http://127.0.0.1:${own.HTTP_PORT ?? own.HEALTH_PORT}`,
      exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    });
  }
  return {
    services,
    peers,
    service(name) {
      const found = services.find((s) => s.name === name);
      if (!found) throw new Error(`no service named ${name}`);
      return found;
    },
    async waitReady(timeoutMs) {
      await Promise.all(
        services.map((s) =>
          waitForStatus(`${s.healthUrl}/readyz`, 200, timeoutMs).catch((err: Error) => {
            throw new Error(`${s.name}: ${err.message}\n${s.output.join('').slice(-4000)}`);
          }),
        ),
      );
    },
    kill() {
      for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    },
  };
}
