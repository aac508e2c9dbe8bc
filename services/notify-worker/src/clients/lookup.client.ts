/**
 * The blocked users' departments, from lookup-service's LookupUser (the directory is apply-worker's
 * schema: notify-worker asks its API, never its tables). Optional and best effort: without an address,
 * or when a call fails or times out, a user simply has no department in the report. A report never
 * fails, or waits long, because lookup-service is down.
 */
import { lookupV1 } from '@usersync/contracts';
import { createGrpcClient, unary } from '@usersync/platform';
import type { Logger } from 'pino';

/** The `user:tags` key that holds a user's department. */
export const DEPARTMENT_TAG = 'department';

/** Departments by username; users without one (or whose lookup failed) are absent. */
export interface DepartmentLookup {
  departments(usernames: readonly string[]): Promise<Map<string, string>>;
  close(): void;
}

/** No lookup-service configured: nobody has a department. */
export const noDepartments: DepartmentLookup = {
  departments: () => Promise.resolve(new Map()),
  close: () => undefined,
};

/** LookupUser's match for `username` (a query also matches emails, so several may come back). */
function departmentOf(matches: lookupV1.UserDetails[], username: string): string | undefined {
  const user = matches.find((m) => m.username.toLowerCase() === username.toLowerCase());
  const department = user?.tags[DEPARTMENT_TAG]?.trim();
  return department || undefined;
}

/** A lookup over gRPC at `address`, or {@link noDepartments} when the address is unset or empty. */
export function createDepartmentLookup(
  address: string | undefined,
  opts: { deadlineMs: number; log: Logger },
): DepartmentLookup {
  if (!address?.trim()) return noDepartments;
  const client = createGrpcClient(lookupV1.LookupServiceClient, address.trim(), { deadlineMs: opts.deadlineMs });
  type C = lookupV1.LookupServiceClient;
  return {
    async departments(usernames) {
      const found = new Map<string, string>();
      let failed = 0;
      // A report lists at most a handful of users: one call each, side by side, under one deadline each.
      await Promise.all(
        usernames.map(async (username) => {
          try {
            const { matches } = await unary<C, 'lookupUser'>(client, 'lookupUser', { query: username });
            const department = departmentOf(matches, username);
            if (department) found.set(username, department);
          } catch {
            failed++;
          }
        }),
      );
      if (failed > 0) opts.log.warn({ failed, of: usernames.length }, 'lookup-service: departments left out');
      return found;
    },
    close: () => client.close(),
  };
}
