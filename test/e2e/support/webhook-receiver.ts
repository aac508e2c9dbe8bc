/** A local HTTP endpoint that records every POST, as a customer's report endpoint would receive it. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received request: headers and the raw body, unparsed (signatures cover the exact bytes). */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the first request matching `pick`, or throws after timeoutMs. */
  waitFor(pick: (w: ReceivedWebhook) => boolean, timeoutMs: number): Promise<ReceivedWebhook>;
  stop(): Promise<void>;
}

/** Starts the receiver on a free loopback port; it answers 204 to everything. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/usersync-report`,
    received,
    async waitFor(pick, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(pick);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching webhook within ${timeoutMs} ms (${received.length} received)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Checks X-Usersync-Signature independently of the product: HMAC-SHA256(secret, "<t>.<body>"), t recent. */
export function signatureIsValid(secret: string, hook: ReceivedWebhook): boolean {
  const header = String(hook.headers['x-usersync-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!parts.v1 || !Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${hook.body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
