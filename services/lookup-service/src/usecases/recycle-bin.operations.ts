/**
 * ListRecycleBin and RestoreUser (issue 18 item 2), protobuf-free, and the recycle bin state LookupUser shows.
 * Days left and what happens then come from the sync configuration (recycleGraceDays, recycleAfterGrace)
 * at the service's clock; apply-worker's recycle timer acts on the same two settings.
 */
import type { Logger } from 'pino';
import { NotFoundError, ValidationError, type Actor } from '@usersync/platform';
import { loadSyncConfig, type RecycleStep } from '@usersync/run-state';
import { parseUsername } from '../domain/lookup-query.js';
import { recycleBinRepository, type RecycleBinCursor, type RecycleBinRow } from '../store/recycle-bin.repository.js';
import type { LookupDeps } from './lookup.operations.js';

/** A user's place in the bin. */
export interface RecycleState {
  blockedAt: Date;
  dueAt: Date;
  daysLeft: number;
  afterGrace: RecycleStep;
}

const DAY_MS = 86_400_000;

/** The state of a user blocked at `blockedAt`, for the configured grace period, at `now`. */
export function recycleStateOf(
  blockedAt: Date,
  settings: { recycleGraceDays: number; recycleAfterGrace: RecycleStep },
  now: Date,
): RecycleState {
  const dueAt = new Date(blockedAt.getTime() + settings.recycleGraceDays * DAY_MS);
  const daysLeft = Math.max(0, Math.ceil((dueAt.getTime() - now.getTime()) / DAY_MS));
  return { blockedAt, dueAt, daysLeft, afterGrace: settings.recycleAfterGrace };
}

/** Default and maximum page sizes. */
export const RECYCLE_PAGE = { default: 25, max: 100 };

const encodeCursor = (c: RecycleBinCursor) => Buffer.from(`${c.blockedAt}|${c.id}`, 'utf8').toString('base64url');
function decodeCursor(token: string): RecycleBinCursor | null {
  if (token === '') return null;
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\|([1-9]\d{0,17})$/.exec(text);
  if (!m || Number.isNaN(new Date(m[1]!).getTime())) {
    throw new ValidationError('LOOKUP_PAGE_TOKEN_INVALID', 'page_token: not a token from a previous page');
  }
  return { blockedAt: m[1]!, id: Number(m[2]) };
}

/** One page of the bin, soonest due first, with the settings that decide what happens. */
export async function listRecycleBin(
  deps: LookupDeps,
  req: { query: string; pageSize: number; pageToken: string },
): Promise<{
  entries: Array<RecycleBinRow & { state: RecycleState }>;
  nextPageToken: string;
  total: number;
  graceDays: number;
  afterGrace: RecycleStep;
}> {
  const prefix = req.query.trim().toLowerCase();
  if (prefix.length > 320) throw new ValidationError('LOOKUP_QUERY_TOO_LONG', 'query: at most 320 characters');
  const size = Math.min(Math.max(req.pageSize || RECYCLE_PAGE.default, 1), RECYCLE_PAGE.max);
  const after = decodeCursor(req.pageToken);
  const [{ config }, page] = await Promise.all([
    loadSyncConfig(deps.pool),
    recycleBinRepository(deps.pool).page(prefix, after, size + 1),
  ]);
  const now = (deps.now ?? (() => new Date()))();
  const rows = page.rows.slice(0, size);
  const last = rows.at(-1);
  return {
    entries: rows.map((r) => ({ ...r, state: recycleStateOf(r.blockedAt, config, now) })),
    nextPageToken: page.rows.length > size && last ? encodeCursor({ blockedAt: last.blockedKey, id: last.id }) : '',
    total: page.total,
    graceDays: config.recycleGraceDays,
    afterGrace: config.recycleAfterGrace,
  };
}

/**
 * Restores a user from the bin (see recycle-bin.repository.ts restore). Like SetErrorState, it logs the
 * actor; the portal writes the audit entry. NotFoundError when the user is not in the bin.
 */
export async function restoreUser(
  deps: LookupDeps,
  log: Logger,
  req: { username: string; actor: Actor | undefined },
): Promise<string> {
  const username = parseUsername(req.username);
  if (!req.actor) throw new ValidationError('LOOKUP_ACTOR_REQUIRED', 'actor: who restores the user is required');
  const by = req.actor.displayName || `${req.actor.kind} ${req.actor.id}`;
  const restored = await recycleBinRepository(deps.pool).restore(username, by);
  if (!restored) throw new NotFoundError('LOOKUP_NOT_IN_RECYCLE_BIN', `${username} is not in the recycle bin`);
  log.info({ username, actor: { kind: req.actor.kind, id: req.actor.id } }, 'user restored from the recycle bin');
  return username;
}

const STEP_TEXT: Record<RecycleStep, string> = {
  keep: 'then stays blocked (nothing is removed)',
  anonymise: 'then is anonymised (names, email, tags, profile and memberships removed)',
  delete: 'then is deleted with their memberships and history',
};

/** The lookup note of a user in the bin, or of an anonymised tombstone. */
export function recycleNote(state: RecycleState | null, anonymisedAt: Date | null): string[] {
  if (anonymisedAt) {
    return [`Anonymised by the recycle timer on ${anonymisedAt.toISOString().slice(0, 10)}: nothing personal is kept.`];
  }
  if (!state) return [];
  const since = state.blockedAt.toISOString().slice(0, 10);
  const left = `${state.daysLeft} day${state.daysLeft === 1 ? '' : 's'} left in the grace period; the user ${STEP_TEXT[state.afterGrace]}`;
  const over =
    state.afterGrace === 'keep'
      ? 'The grace period is over; the user stays blocked (nothing is removed)'
      : `The grace period is over: at the recycle timer's next check the user ${STEP_TEXT[state.afterGrace].slice(5)}`;
  return [
    `In the recycle bin since ${since}. ${state.daysLeft === 0 ? over : left}. Restore brings the account back with its memberships.`,
  ];
}
