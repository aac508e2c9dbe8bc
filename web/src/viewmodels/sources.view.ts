/**
 * The Sources page's words: the SCIM endpoint an identity provider is given, what a SCIM answer's status
 * means, the SCIM keys, and what an admin should do next (no key, a refused client, changes waiting behind
 * a held run). Pure: the route passes GetSources' answer and the key list.
 */
import type { keysV1, runsV1, sourcesV1 } from '@usersync/contracts';
import { runStatusName } from './runs.labels.js';

export { sourceLabel } from './runs.labels.js';

/** The scope of a SCIM provisioning client's key. */
export const SCIM_SCOPE = 'scim';
/** The scope of an upload script's key. */
export const UPLOAD_SCOPE = 'sync:upload';

/** The SCIM base URL (RFC 7644 §3.13 "tenant URL" in Entra ID, "SCIM connector base URL" in Okta). */
export const scimEndpoint = (gatewayUrl: string): string => `${gatewayUrl.replace(/\/+$/, '')}/scim/v2`;

/** Identity providers refuse a plain-http endpoint unless it is a local test. */
export function endpointWarning(endpoint: string): string | undefined {
  const url = new URL(endpoint);
  if (url.protocol === 'https:') return undefined;
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return local
    ? 'This address only works on this machine. Set GATEWAY_PUBLIC_URL to the gateway’s public https:// address before configuring an identity provider.'
    : 'Entra ID and Okta need an https:// address: put the gateway behind TLS and set GATEWAY_PUBLIC_URL to it.';
}

/** What a status of a SCIM answer means to an admin. */
export function statusText(status: number): string {
  if (status === 200) return 'OK';
  if (status === 201) return 'Created';
  if (status === 204) return 'Done (no content)';
  if (status >= 200 && status < 300) return 'OK';
  if (status === 401) return 'Refused: the token is not a valid API key (unknown, revoked or expired)';
  if (status === 403) return 'Refused: the API key does not have the scim scope';
  if (status === 404) return 'Not found: the client asked for a user or group that does not exist here';
  if (status === 409) return 'Conflict: a user or group with that name already exists';
  if (status === 412) return 'Precondition failed: the client sent an out-of-date version (ETag)';
  if (status === 413) return 'Too large: the request body is over the limit';
  if (status === 400) return 'Bad request: the client sent something SCIM does not allow';
  if (status >= 500) return 'Server error: see the gateway’s log';
  return 'Refused';
}

/** How the SCIM client's connection looks from its last requests. */
export type Connection = 'never' | 'ok' | 'refused' | 'failing';

export function connectionOf(scim: sourcesV1.ScimSource): Connection {
  const last = scim.lastRequest;
  if (!last) return 'never';
  if (last.status === 401 || last.status === 403) return 'refused';
  if (last.status >= 500) return 'failing';
  return 'ok';
}

const isActive = (k: keysV1.ApiKey, now: Date) => !k.revokedAt && !(k.expiresAt && k.expiresAt <= now);

/** Active keys with `scope`, newest first as key-service lists them. */
export const keysWithScope = (keys: readonly keysV1.ApiKey[], scope: string, now = new Date()): keysV1.ApiKey[] =>
  keys.filter((k) => k.scopes.includes(scope) && isActive(k, now));

/** Things the admin should know or do about the SCIM source, most urgent first. */
export function scimNotes(
  scim: sourcesV1.ScimSource,
  scimKeys: readonly keysV1.ApiKey[] | undefined,
  allKeys: readonly keysV1.ApiKey[] | undefined,
  now = new Date(),
): string[] {
  const notes: string[] = [];
  const open = scim.openRun;
  if (open && runStatusName(open.status) === 'held' && scim.changesWaiting > 0)
    notes.push(
      `${scim.changesWaiting} SCIM change${scim.changesWaiting === 1 ? ' waits' : 's wait'} behind held run ${open.id}: apply or cancel it so they can reach the directory.`,
    );
  else if (open && runStatusName(open.status) === 'held')
    notes.push(`Run ${open.id} of the SCIM source is held for you: its changes reach the directory once applied.`);
  const last = scim.lastRequest;
  if (last && (last.status === 401 || last.status === 403))
    notes.push(
      `The last SCIM request was refused (${last.status}): check the secret token configured in the identity provider.`,
    );
  if (last?.keyId && allKeys) {
    const key = allKeys.find((k) => k.id === last.keyId);
    if (key && !isActive(key, now))
      notes.push(
        `The key the client last used, “${key.name}”, is ${key.revokedAt ? 'revoked' : 'expired'}: its next requests will be refused.`,
      );
  }
  if (scimKeys && scimKeys.length === 0)
    notes.push('There is no active SCIM key: create one and give it to the identity provider as its secret token.');
  return notes;
}

/** The batcher in a sentence: how often changes reach the directory. */
export function batchSentence(scim: sourcesV1.ScimSource, duration: (seconds: number) => string): string {
  return `SCIM changes reach the directory as a run of the SCIM source at most every ${duration(scim.batchWindowMs / 1000)}, with the same plan, holds and history as a file upload.`;
}

/** A run's data file, in words for the run page. */
export function runSourceSentence(run: Pick<runsV1.Run, 'source'>): string {
  return run.source === 'scim'
    ? 'SCIM provisioning: its data file is a snapshot of the SCIM source’s active users, made by the SCIM batcher when it opened the run, with a built-in control file.'
    : 'The file feed: the data files and control file uploaded by a script or an admin.';
}
