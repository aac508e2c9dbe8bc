import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort } from './net.js';

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
}

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range that a server can bind on every interface', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeLessThan(ephemeralRangeStart());
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: ports[0], host: '0.0.0.0', exclusive: true }, resolve);
    });
    server.close();
  });

  it('passes over a port something already listens on', async () => {
    const first = await freePort();
    const held = createServer();
    // Hold the next port in this process's band, then ask again: it must be skipped.
    const next = first + 1;
    await new Promise<void>((resolve) => held.listen({ port: next, host: '127.0.0.1' }, resolve));
    try {
      const got = await freePort();
      expect(got).not.toBe(next);
      expect(got).toBeGreaterThan(next);
    } finally {
      held.close();
    }
  });
});
