/**
 * Every process of the system with its default ports: the local stack starts them from here, and
 * the deployment tests check compose and k8s against it. Ports match each service's config.ts.
 */
export interface ServiceSpec {
  name: string;
  /** Folder of the workspace, relative to the repository root. */
  dir: string;
  /** Where GET /readyz answers (the HTTP port for HTTP services, HEALTH_PORT otherwise). */
  healthPort: number;
  ports: Record<string, number>;
  /**
   * V8 options the process runs with everywhere (NODE_OPTIONS in the local stack, compose, k8s and the
   * bench). The apply worker's heap is capped: its live data is one chunk of records (the baseline and the
   * username set are off the heap), and without a cap V8 let garbage grow the process to 626 MiB in one
   * 1M-user bench run, where 256 MB kept it at 367 MiB and ran no slower.
   */
  nodeOptions?: string;
}

export const SERVICES: readonly ServiceSpec[] = [
  {
    name: 'key-service',
    dir: 'services/key-service',
    healthPort: 9103,
    ports: { GRPC_PORT: 50052, HEALTH_PORT: 9103 },
  },
  {
    name: 'lookup-service',
    dir: 'services/lookup-service',
    healthPort: 9104,
    ports: { GRPC_PORT: 50053, HEALTH_PORT: 9104 },
  },
  {
    name: 'ingest-gateway',
    dir: 'services/ingest-gateway',
    healthPort: 8081,
    ports: { HTTP_PORT: 8081, GRPC_PORT: 50051 },
  },
  {
    name: 'apply-worker',
    dir: 'services/apply-worker',
    healthPort: 9101,
    ports: { HEALTH_PORT: 9101 },
    nodeOptions: '--max-old-space-size=256',
  },
  { name: 'notify-worker', dir: 'services/notify-worker', healthPort: 9102, ports: { HEALTH_PORT: 9102 } },
  { name: 'web', dir: 'web', healthPort: 8080, ports: { HTTP_PORT: 8080 } },
];

/** Peer addresses every service is given on one machine. */
export const LOCAL_PEERS: Readonly<Record<string, string>> = {
  RUN_SERVICE_ADDR: '127.0.0.1:50051',
  KEY_SERVICE_ADDR: '127.0.0.1:50052',
  LOOKUP_SERVICE_ADDR: '127.0.0.1:50053',
};

/** The environment of `spec`'s process: `env` with the service's NODE_OPTIONS added to any already set. */
export function serviceEnv(spec: ServiceSpec, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!spec.nodeOptions) return env;
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, spec.nodeOptions].filter(Boolean).join(' ') };
}
