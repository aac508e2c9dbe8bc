import type * as grpc from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, NotFoundError, RetryableError, ValidationError } from '../errors.js';
import { createLogger } from '../logger/index.js';
import { renderMetrics } from '../metrics/index.js';
import {
  createGrpcClient,
  createGrpcServer,
  fromServiceError,
  serverStreamHandler,
  unary,
  unaryHandler,
  type GrpcServer,
} from './index.js';
import {
  EchoServiceClient,
  EchoServiceDefinition,
  HealthClient,
  type EchoRequest,
  type EchoResponse,
} from './echo-service.fixture.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()));
  });

const implementation = {
  echo: unaryHandler<EchoRequest, EchoResponse>(async (req, ctx) => {
    if (req.delayMs) await sleep(req.delayMs, ctx.signal);
    switch (req.text) {
      case 'missing':
        throw new NotFoundError('THING_NOT_FOUND', 'no such thing');
      case 'invalid':
        throw new ValidationError('THING_INVALID', 'thing is invalid', [
          { path: 'name', message: 'too long — 200 chars' },
        ]);
      case 'down':
        throw new RetryableError('THING_DB_DOWN', 'database unavailable');
      case 'bug':
        throw new Error('relation "secret_table" does not exist; password=hunter2');
      default:
        return { text: req.text.toUpperCase() };
    }
  }),
  count: serverStreamHandler<{ upTo: number; failAt?: number }, { n: number }>(async (req, call) => {
    for (let n = 1; n <= req.upTo; n++) {
      if (n === req.failAt) throw new Error('disk full at /var/secret');
      call.write({ n });
    }
  }),
};

/** The AppError a call failed with (fails the test when the call succeeds). */
async function failure(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

let server: GrpcServer;
let address: string;

beforeAll(async () => {
  server = createGrpcServer({
    port: 0,
    host: '127.0.0.1',
    log: createLogger({ service: 'grpc-test', level: 'silent' }),
    services: [{ definition: EchoServiceDefinition, implementation, name: 'test.v1.EchoService' }],
  });
  address = `127.0.0.1:${await server.start()}`;
});
afterAll(() => server.stop(1_000));

function healthOf(service: string): Promise<string> {
  const client = createGrpcClient(HealthClient, address);
  return unary(client, 'check', { service })
    .then((r) => r.status)
    .finally(() => client.close());
}

describe(createGrpcServer.name, () => {
  it('serves grpc.health.v1 for the whole server and each service, and flips to NOT_SERVING', async () => {
    expect(await healthOf('')).toBe('SERVING');
    expect(await healthOf('test.v1.EchoService')).toBe('SERVING');
    server.setServing(false);
    expect(await healthOf('')).toBe('NOT_SERVING');
    expect(await healthOf('test.v1.EchoService')).toBe('NOT_SERVING');
    server.setServing(true);
    expect(await healthOf('')).toBe('SERVING');
    await expect(healthOf('test.v1.Unknown')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers unary calls through the promise helper', async () => {
    const client = createGrpcClient(EchoServiceClient, address);
    expect(await unary(client, 'echo', { text: 'hi' })).toEqual({ text: 'HI' });
    client.close();
  });

  it('maps thrown AppErrors to statuses and back to the same kinds and codes', async () => {
    const client = createGrpcClient(EchoServiceClient, address);
    const call = (text: string) => failure(unary(client, 'echo', { text }));

    const missing = await call('missing');
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ code: 'THING_NOT_FOUND', message: 'no such thing' });
    expect((missing.cause as grpc.ServiceError).code).toBe(Status.NOT_FOUND);

    const invalid = await call('invalid');
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({
      code: 'THING_INVALID',
      details: [{ path: 'name', message: 'too long — 200 chars' }],
    });

    const down = await call('down');
    expect(down).toBeInstanceOf(RetryableError);
    expect((down.cause as grpc.ServiceError).code).toBe(Status.UNAVAILABLE);
    client.close();
  });

  it('never leaks an internal error message', async () => {
    const client = createGrpcClient(EchoServiceClient, address);
    const err = await failure(unary(client, 'echo', { text: 'bug' }));
    expect(err).toMatchObject({ kind: 'internal', code: 'INTERNAL', message: 'internal error' });
    expect((err.cause as grpc.ServiceError).code).toBe(Status.INTERNAL);
    expect(JSON.stringify((err.cause as grpc.ServiceError).details)).not.toMatch(/secret|hunter2/);

    const stream = client.count({ upTo: 5, failAt: 3 });
    const received: number[] = [];
    const streamErr = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('data', (m: { n: number }) => received.push(m.n));
      stream.on('error', resolve);
    });
    expect(received).toEqual([1, 2]);
    expect(streamErr.code).toBe(Status.INTERNAL);
    expect(streamErr.details).toBe('internal error');
    client.close();
  });

  it('applies the client default deadline, and a per-call deadline, as retryable errors', async () => {
    const client = createGrpcClient(EchoServiceClient, address, { deadlineMs: 100 });
    const raw = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.echo({ text: 'slow', delayMs: 2_000 }, (err) => resolve(err)),
    );
    expect(raw?.code).toBe(Status.DEADLINE_EXCEEDED);

    const started = Date.now();
    const err = await failure(unary(client, 'echo', { text: 'slow', delayMs: 2_000 }, { deadlineMs: 50 }));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'GRPC_DEADLINE_EXCEEDED' });
    expect(Date.now() - started).toBeLessThan(1_000);
    // A longer per-call deadline wins over the client default.
    expect(await unary(client, 'echo', { text: 'ok', delayMs: 200 }, { deadlineMs: 2_000 })).toEqual({ text: 'OK' });
    client.close();
  });

  it('records server latency per rpc and status code', async () => {
    const client = createGrpcClient(EchoServiceClient, address);
    await unary(client, 'echo', { text: 'missing' }).catch(() => undefined);
    client.close();
    const { body } = await renderMetrics();
    expect(body).toMatch(
      /usersync_rpc_server_duration_seconds_count\{rpc="test.v1.EchoService\/Echo",code="NOT_FOUND"\} [1-9]/,
    );
    expect(body).toMatch(/usersync_rpc_client_duration_seconds_count\{rpc="echo",code="OK"\} [1-9]/);
  });
});

describe(fromServiceError.name, () => {
  it('turns UNAVAILABLE from a peer that is down into a RetryableError', async () => {
    const client = createGrpcClient(EchoServiceClient, '127.0.0.1:1', { deadlineMs: 500 });
    await expect(unary(client, 'echo', { text: 'x' })).rejects.toBeInstanceOf(RetryableError);
    client.close();
  });
});
