/**
 * Graceful shutdown (house style §9.4). The caller passes the steps in order: mark not-ready, stop
 * intake, drain in-flight work, close pools, flush the logger. A timeout bounds the whole sequence so
 * a stuck step cannot keep a pod in Terminating until the kubelet's SIGKILL.
 */
import type { Logger } from 'pino';

/** One shutdown step; steps run one after another, never in parallel. */
export type ShutdownStep = () => Promise<void>;

export interface ShutdownOptions {
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Time for all steps together before exiting 1. */
  timeoutMs: number;
  /** Ends the process; injectable for tests. */
  exit: (code: number) => void;
}

export interface Shutdown {
  /** Runs the steps once; later calls return the same promise. Resolves after exit() was called. */
  run(reason?: string): Promise<void>;
  /** True once run() has been called. */
  readonly started: boolean;
}

/** The testable core of onShutdown: ordered steps, one run, a timeout, an exit code. */
export function createShutdown(opts: ShutdownOptions, steps: readonly ShutdownStep[]): Shutdown {
  let running: Promise<void> | undefined;

  async function sequence(reason: string): Promise<void> {
    opts.log.info({ reason, steps: steps.length }, 'shutting down');
    let failed = false;
    for (const [index, step] of steps.entries()) {
      try {
        await step();
      } catch (err) {
        // Keep going: a failed drain must not stop the pools from closing.
        failed = true;
        opts.log.error({ err, step: index }, 'shutdown step failed');
      }
    }
    return failed ? Promise.reject(new Error('a shutdown step failed')) : undefined;
  }

  function run(reason = 'requested'): Promise<void> {
    running ??= new Promise<void>((resolve) => {
      let done = false;
      const finish = (code: number) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        opts.exit(code);
        resolve();
      };
      // Not unref'd: while steps are pending, this timer is what guarantees the process ends.
      const timer = setTimeout(() => {
        opts.log.error({ timeoutMs: opts.timeoutMs }, 'shutdown timed out');
        finish(1);
      }, opts.timeoutMs);
      sequence(reason).then(
        () => {
          opts.log.info('shutdown complete');
          finish(0);
        },
        () => finish(1),
      );
    });
    return running;
  }

  return {
    run,
    get started() {
      return running !== undefined;
    },
  };
}

/**
 * Runs `steps` in order on the first SIGINT or SIGTERM, then exits 0 (1 on failure or timeout).
 * Later signals are logged and ignored, so a second Ctrl-C does not cut the drain short.
 */
export function onShutdown(log: Logger, opts: { timeoutMs: number }, ...steps: ShutdownStep[]): Shutdown {
  const shutdown = createShutdown({ log, timeoutMs: opts.timeoutMs, exit: (code) => process.exit(code) }, steps);
  const handler = (signal: NodeJS.Signals) => {
    if (shutdown.started) {
      log.warn({ signal }, 'already shutting down');
      return;
    }
    void shutdown.run(signal);
  };
  // process.on, not once: after a once-handler is gone a second SIGINT would kill the process mid-drain.
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return shutdown;
}
