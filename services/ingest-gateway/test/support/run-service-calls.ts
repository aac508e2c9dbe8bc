/** RunService as the portal calls it, for the integration suites: partial requests, a ready run. */
import { runsV1 } from '@usersync/contracts';
import { unary } from '@usersync/platform';
import type { GatewayEnv } from './gateway-env.js';
import { controlFile, upload, usersFile } from './fixtures.js';

/** Uploads `_control` and `users` over HTTP: the run is ready. Returns its id. */
export async function readyRun(env: GatewayEnv, users = usersFile(10)): Promise<number> {
  await upload(env, '_control', controlFile(['users']));
  await upload(env, 'users', users);
  const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM runs.run ORDER BY id DESC LIMIT 1');
  return Number(rows[0]!.id);
}

/** Calls a unary RPC with a partial request (filled in with proto defaults, as a real client does). */
export function callRunService<T>(env: GatewayEnv, method: string, req: unknown): Promise<T> {
  const type = (runsV1 as unknown as Record<string, { fromPartial(o: unknown): unknown }>)[
    `${method[0]!.toUpperCase()}${method.slice(1)}Request`
  ]!;
  return unary(env.runs, method as never, type.fromPartial(req ?? {}) as never) as Promise<T>;
}
