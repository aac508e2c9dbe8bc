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
  { name: 'apply-worker', dir: 'services/apply-worker', healthPort: 9101, ports: { HEALTH_PORT: 9101 } },
  { name: 'notify-worker', dir: 'services/notify-worker', healthPort: 9102, ports: { HEALTH_PORT: 9102 } },
  { name: 'web', dir: 'web', healthPort: 8080, ports: { HTTP_PORT: 8080 } },
];

/** Peer addresses every service is given on one machine. */
export const LOCAL_PEERS: Readonly<Record<string, string>> = {
  RUN_SERVICE_ADDR: '127.0.0.1:50051',
  KEY_SERVICE_ADDR: '127.0.0.1:50052',
  LOOKUP_SERVICE_ADDR: '127.0.0.1:50053',
};
