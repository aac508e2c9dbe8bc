import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, flushLogger } from './index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { destination, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe(createLogger.name, () => {
  it('writes JSON with the service and version bindings', () => {
    const out = capture();
    const log = createLogger({
      service: 'apply-worker',
      level: 'info',
      version: '1.2.3',
      destination: out.destination,
    });
    log.info({ runId: 7 }, 'run started');
    log.debug('hidden at info');
    expect(out.records()).toEqual([
      expect.objectContaining({
        service: 'apply-worker',
        version: '1.2.3',
        level: 'info',
        runId: 7,
        msg: 'run started',
      }),
    ]);
  });

  it('never writes credentials, wherever they appear', () => {
    const out = capture();
    const log = createLogger({ service: 'ingest-gateway', level: 'debug', destination: out.destination });
    log.info(
      {
        req: {
          method: 'POST',
          headers: {
            authorization: 'Basic aGFwbG86U0VDUkVULUJBU0lD',
            cookie: 'sid=SECRET-COOKIE',
            'x-api-key': 'SECRET-KEY-HDR',
          },
        },
        key: { secret: 'SECRET-1', apiKey: 'SECRET-2', token: 'SECRET-3', name: 'uploader' },
        admin: { password: 'SECRET-4' },
        upstream: { authorization: 'Bearer SECRET-5' },
        token: 'SECRET-6',
      },
      'request',
    );
    log.child({ rpc: 'x' }).warn({ user: { password: 'SECRET-7' } }, 'child');
    const text = out.lines.join('\n');
    expect(text).not.toMatch(/SECRET/);
    const [first] = out.records();
    expect(first).toMatchObject({
      req: {
        method: 'POST',
        headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' },
      },
      key: { secret: '[redacted]', apiKey: '[redacted]', token: '[redacted]', name: 'uploader' },
    });
  });

  it('serialises errors given as { err }', async () => {
    const out = capture();
    const log = createLogger({ service: 's', level: 'info', destination: out.destination });
    log.error({ err: new Error('boom') }, 'failed');
    await flushLogger(log);
    expect(out.records()[0]).toMatchObject({ err: { type: 'Error', message: 'boom' } });
  });
});
