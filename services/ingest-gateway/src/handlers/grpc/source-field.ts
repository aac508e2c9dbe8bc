/** The `source` string field of RunService requests: "file", "scim" or empty. */
import { ValidationError } from '@usersync/platform';
import { RUN_SOURCES, type RunSource } from '@usersync/run-state';

/** A filter: empty for every source, else one of RUN_SOURCES (INVALID_ARGUMENT otherwise). */
export function sourceFilter(source: string): RunSource | undefined {
  if (source === '') return undefined;
  if ((RUN_SOURCES as readonly string[]).includes(source)) return source as RunSource;
  throw new ValidationError('RUN_BAD_SOURCE', `source: "${source}" is not a source; use ${RUN_SOURCES.join(' or ')}`);
}

/** A choice: empty means the file feed, which is what callers that predate sources mean. */
export function sourceOrFile(source: string): RunSource {
  return sourceFilter(source) ?? 'file';
}
