import { createConnection, createServer } from 'node:net';

/*
 * Ports for servers that tests and `npm start` spawn. Asking the kernel for port 0 hands out a port
 * from the ephemeral range (32768-60999 on Linux), and between closing the probe and the service
 * binding it, any outbound connection on the machine (a test worker's pg or NATS client) may take
 * it as its local port: CI saw gRPC fail with EADDRINUSE that way. So ports come from below the
 * ephemeral range instead, each process walking its own band (vitest's pool id, else its pid) so
 * that parallel workers never offer each other the same port, and each candidate is probed on
 * every interface before it is handed out.
 */
const PORT_RANGE_START = 20_000;
const BAND_SIZE = 500;
const BAND_COUNT = 24; // 20000-31999, clear of the ephemeral range's 32768
let nextInBand = 0;

function band(): number {
  const poolId = Number(process.env.VITEST_POOL_ID);
  return (Number.isInteger(poolId) && poolId > 0 ? poolId : process.pid) % BAND_COUNT;
}

async function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port nothing listens on, outside the kernel's ephemeral range; see above. */
export async function freePort(): Promise<number> {
  const base = PORT_RANGE_START + band() * BAND_SIZE;
  for (let tries = 0; tries < BAND_SIZE; tries++) {
    const port = base + (nextInBand++ % BAND_SIZE);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + BAND_SIZE - 1}`);
}

/** True when something accepts TCP connections on host:port. */
export async function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls until host:port accepts connections, or throws after timeoutMs. */
export async function waitForPort(host: string, port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isListening(host, port, 500)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start listening on ${host}:${port} within ${timeoutMs} ms`);
}
