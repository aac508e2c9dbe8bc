import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { createShutdown } from './index.js';

const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe(createShutdown.name, () => {
  it('runs the steps in order, one after another, then exits 0', async () => {
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}:end`);
    };
    const exit = vi.fn();
    await createShutdown({ log, timeoutMs: 1_000, exit }, [step('a', 30), step('b', 1), step('c', 10)]).run('SIGTERM');
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
  });

  it('runs once however often it is triggered', async () => {
    const exit = vi.fn();
    const step = vi.fn(async () => undefined);
    const shutdown = createShutdown({ log, timeoutMs: 1_000, exit }, [step]);
    expect(shutdown.started).toBe(false);
    const first = shutdown.run('SIGTERM');
    const second = shutdown.run('SIGINT');
    expect(second).toBe(first);
    await Promise.all([first, second, shutdown.run('SIGTERM')]);
    expect(step).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
  });

  it('exits 1 when the steps outlast the timeout', async () => {
    const exit = vi.fn();
    const after = vi.fn(async () => undefined);
    const started = Date.now();
    await createShutdown({ log, timeoutMs: 50, exit }, [() => new Promise(() => undefined), after]).run();
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(after).not.toHaveBeenCalled();
    expect(log.error).toHaveBeenCalledWith({ timeoutMs: 50 }, 'shutdown timed out');
  });

  it('still runs later steps after one fails, and exits 1', async () => {
    const exit = vi.fn();
    const later = vi.fn(async () => undefined);
    await createShutdown({ log, timeoutMs: 1_000, exit }, [
      () => Promise.reject(new Error('drain failed')),
      later,
    ]).run();
    expect(later).toHaveBeenCalled();
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
  });
});

describe('onShutdown', () => {
  it(
    'runs the steps in order on a real SIGTERM, ignores a second signal, and exits 0',
    { timeout: 20_000 },
    async () => {
      const fixture = fileURLToPath(new URL('./shutdown.fixture.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes('ready\n')) resolve();
        });
        child.on('exit', () => reject(new Error(`fixture exited early: ${stderr}`)));
      });
      child.kill('SIGTERM');
      // A second signal during the drain must not kill the process or restart the steps.
      setTimeout(() => child.kill('SIGTERM'), 100);
      expect(await exited).toBe(0);
      expect(stdout.trim().split('\n')).toEqual([
        'ready',
        'step:not-ready',
        'step:stop-intake',
        'step:drain',
        'step:close-pools',
        'step:flush',
      ]);
    },
  );
});
