import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from './binaries.js';
import { freePort, waitForPort } from './net.js';

export interface RunningNats {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export const NATS_INSTALL_HINT =
  'nats-server is not installed: run `apt-get install -y nats-server` (Debian) or set NATS_URL';

/** The nats-server binary, or undefined (Debian puts it in /usr/sbin, which is not on every PATH). */
export function findNatsServer(): string | undefined {
  return findExecutable('nats-server', ['/usr/sbin', '/usr/local/sbin']);
}

/**
 * Starts a private nats-server with JetStream on loopback. With no storeDir the data lives in a
 * temporary folder that is removed on stop, which is what tests want.
 */
export async function startNatsServer(opts: { port?: number; storeDir?: string } = {}): Promise<RunningNats> {
  const bin = findNatsServer();
  if (!bin) throw new Error(NATS_INSTALL_HINT);
  const port = opts.port ?? (await freePort());
  const ownDir = opts.storeDir ? undefined : mkdtempSync(join(tmpdir(), 'usersync-nats-'));
  const storeDir = opts.storeDir ?? ownDir!;
  const child: ChildProcess = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort('127.0.0.1', port, 10_000, 'nats-server');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
