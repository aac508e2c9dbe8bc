/**
 * testcontainers support: where a Docker engine answers, tests get throw-away PostgreSQL, NATS and
 * MinIO containers; where it does not (these machines have a docker client but no engine), the
 * caller falls back to local servers. Imported lazily so machines without Docker never load it.
 */
export interface Stoppable {
  stop(): Promise<void>;
}

/** True when testcontainers finds a working container runtime. Fails within milliseconds when none. */
export async function hasContainerRuntime(): Promise<boolean> {
  if (process.env.USERSYNC_NO_CONTAINERS === '1') return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function startPostgresContainer(): Promise<Stoppable & { adminUrl: string }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const c = await new PostgreSqlContainer('postgres:16-alpine').start();
  return { adminUrl: c.getConnectionUri(), stop: async () => void (await c.stop()) };
}

export async function startNatsContainer(): Promise<Stoppable & { url: string }> {
  const { NatsContainer } = await import('@testcontainers/nats');
  const c = await new NatsContainer('nats:2.10-alpine').withJetStream().start();
  const opts = c.getConnectionOptions();
  const server = String(Array.isArray(opts.servers) ? opts.servers[0] : opts.servers).replace(/^nats:\/\//, '');
  const auth = c.username ? `${encodeURIComponent(c.username)}:${encodeURIComponent(c.password ?? '')}@` : '';
  return { url: `nats://${auth}${server}`, stop: async () => void (await c.stop()) };
}

export async function startMinioContainer(): Promise<
  Stoppable & { endpoint: string; accessKey: string; secretKey: string }
> {
  const { MinioContainer } = await import('@testcontainers/minio');
  const c = await new MinioContainer('minio/minio:RELEASE.2025-04-22T22-12-26Z').start();
  return {
    endpoint: c.getConnectionUrl(),
    accessKey: c.getUsername(),
    secretKey: c.getPassword(),
    stop: async () => void (await c.stop()),
  };
}
