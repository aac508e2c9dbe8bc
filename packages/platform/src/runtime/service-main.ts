/**
 * The whole of every service's main.ts (house style §9.4): load config → logger → createApp →
 * start → shutdown on SIGTERM/SIGINT in the app's order, then flush the logger.
 */
import type { Logger } from 'pino';
import { createLogger, flushLogger } from '../logger/create-logger.js';
import { onShutdown } from '../shutdown/shutdown.js';

/** What createApp returns: nothing listens or consumes until start(); stop() is the shutdown order. */
export interface ServiceApp {
  start(): Promise<void>;
  stop(): Promise<void>;
}

type LogLevel = Parameters<typeof createLogger>[0]['level'];

export interface ServiceMainOptions<C extends { LOG_LEVEL: LogLevel }> {
  service: string;
  loadConfig: () => C;
  createApp: (config: C, log: Logger) => Promise<ServiceApp>;
  /** Time the stop sequence gets before the process exits 1; default 15 s. */
  shutdownTimeoutMs?: number;
}

/** Runs a service until a signal stops it. Exits 1 (after logging why) when it cannot start. */
export async function runServiceMain<C extends { LOG_LEVEL: LogLevel }>(opts: ServiceMainOptions<C>): Promise<void> {
  let log = createLogger({ service: opts.service, level: 'info' });
  try {
    const config = opts.loadConfig();
    log = createLogger({ service: opts.service, level: config.LOG_LEVEL });
    const app = await opts.createApp(config, log);
    onShutdown(
      log,
      { timeoutMs: opts.shutdownTimeoutMs ?? 15_000 },
      () => app.stop(),
      () => flushLogger(log),
    );
    await app.start();
    log.info('started');
  } catch (err) {
    log.fatal({ err }, 'could not start');
    await flushLogger(log);
    process.exit(1);
  }
}
