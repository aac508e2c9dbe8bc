/** The NATS connection every service opens once. */
import { connect, Events, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

/** Options for {@link connectNats}. */
export interface ConnectNatsOptions {
  /** One URL or a comma-separated list, e.g. nats://127.0.0.1:4222. */
  url: string;
  /** The service name (house style: same as the pino `service` binding). */
  name: string;
  log: Logger;
  /**
   * Keep trying when the first connect fails (default false: fail fast so a misconfigured URL is
   * reported at startup; after the first connect, reconnection is always retried forever).
   */
  waitOnFirstConnect?: boolean;
}

/** Connects to NATS, reconnecting forever, and logs disconnects, reconnects and errors. */
export async function connectNats(opts: ConnectNatsOptions): Promise<NatsConnection> {
  const log = opts.log.child({ nats: opts.name });
  const nc = await connect({
    servers: opts.url.split(',').map((s) => s.trim()),
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    waitOnFirstConnect: opts.waitOnFirstConnect ?? false,
  });
  log.info({ server: nc.getServer() }, 'nats connected');
  void watchStatus(nc, log);
  nc.closed()
    .then((err) => {
      if (err) log.error({ err }, 'nats connection closed');
      else log.info('nats connection closed');
    })
    .catch(() => undefined);
  return nc;
}

async function watchStatus(nc: NatsConnection, log: Logger): Promise<void> {
  for await (const s of nc.status()) {
    switch (s.type) {
      case Events.Disconnect:
        log.warn({ server: s.data }, 'nats disconnected');
        break;
      case Events.Reconnect:
        log.info({ server: s.data }, 'nats reconnected');
        break;
      case Events.Error:
        log.error({ err: s.data }, 'nats error');
        break;
      case Events.LDM:
        log.warn({ server: s.data }, 'nats server entering lame duck mode');
        break;
      default:
        log.debug({ status: s.type, data: s.data }, 'nats status');
    }
  }
}
