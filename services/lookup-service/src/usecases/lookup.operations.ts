/** LookupUser, SearchUsers, GetUserHistory and SetErrorState over the repositories; protobuf-free. */
import type pg from 'pg';
import type { Logger } from 'pino';
import { defaultProfileSchema } from '@usersync/control-file';
import { NotFoundError, ValidationError, type Actor } from '@usersync/platform';
import { latestRunErrorCounts, loadSyncConfig, profileSchemaOf, userErrorRuns } from '@usersync/run-state';
import { parseLookupQuery, parseUsername } from '../domain/lookup-query.js';
import { renderProfile, type ProfileEntry } from '../domain/profile-view.js';
import { userNotes } from '../domain/user-notes.js';
import { directoryReadRepository, type UserRow } from '../store/directory-read.repository.js';
import { recycleNote, recycleStateOf, type RecycleState } from './recycle-bin.operations.js';
import { userSearchRepository, type UserSummaryRow } from '../store/user-search.repository.js';
import {
  ERROR_RUN_WINDOW,
  MAX_ERROR_RUNS,
  historyRepository,
  type ErrorRunRow,
  type HistoryRow,
} from '../store/history.repository.js';

/** What the operations need. */
export interface LookupDeps {
  pool: pg.Pool;
  /** The clock of the recycle bin's days left (default the system clock). */
  now?: () => Date;
}

/** A user as LookupUser answers: the row, the labelled profile and the notes. */
export interface UserView extends UserRow {
  profileEntries: ProfileEntry[];
  notes: string[];
  /** Set while the user is in the recycle bin. */
  recycle: RecycleState | null;
}

/** Who asked for a change (for the log line; the portal writes the audit entry with its own actor). */
export type ChangeActor = Actor;

/** Default and maximum history page sizes. */
export const HISTORY_PAGE = { default: 20, max: 100 };

async function views(deps: LookupDeps, users: UserRow[]): Promise<UserView[]> {
  if (users.length === 0) return [];
  const [{ config }, latest] = await Promise.all([
    loadSyncConfig(deps.pool),
    latestRunErrorCounts(
      deps.pool,
      users.map((u) => u.username),
    ),
  ]);
  // An invalid stored schema falls back to the default: a lookup must still answer, and an attribute
  // the schema does not declare is shown under its code anyway.
  const outcome = profileSchemaOf(config);
  const schema = outcome.ok ? outcome.schema : defaultProfileSchema;
  const now = (deps.now ?? (() => new Date()))();
  return users.map((u) => {
    const recycle = u.blockedAt && !u.active && !u.inFeed ? recycleStateOf(u.blockedAt, config, now) : null;
    return {
      ...u,
      recycle,
      profileEntries: renderProfile(u.profile, schema),
      notes: [
        ...userNotes({
          active: u.active,
          inFeed: u.inFeed,
          error: u.error,
          managed: u.managed,
          lastBlockRunId: u.lastBlockRunId,
          lastReactivateRunId: u.lastReactivateRunId,
          lastRecordRunId: u.recordRunId,
          latestRunErrors: latest.get(u.username) ?? null,
        }),
        ...recycleNote(recycle, u.anonymisedAt),
      ],
    };
  });
}

/** Users matching a username or email; an empty list when none (LookupUserResponse says so). */
export async function lookupUser(deps: LookupDeps, input: string): Promise<UserView[]> {
  const q = parseLookupQuery(input);
  const repo = directoryReadRepository(deps.pool);
  return views(deps, q.byEmail ? await repo.byEmail(q.text) : await repo.byUsername(q.text));
}

function pageToken(token: string): number | null {
  if (token === '') return null;
  if (!/^[1-9][0-9]{0,17}$/.test(token)) {
    throw new ValidationError('LOOKUP_PAGE_TOKEN_INVALID', 'page_token: not a token from a previous response');
  }
  return Number(token);
}

/** One page of a user's history, newest first, and (first page only) the runs that logged errors for them. */
export async function getUserHistory(
  deps: LookupDeps,
  req: { username: string; pageSize: number; pageToken: string },
): Promise<{ entries: HistoryRow[]; errorRuns: ErrorRunRow[]; nextPageToken: string }> {
  const username = parseUsername(req.username);
  const before = pageToken(req.pageToken);
  const size = req.pageSize > 0 ? Math.min(req.pageSize, HISTORY_PAGE.max) : HISTORY_PAGE.default;
  const userId = await directoryReadRepository(deps.pool).idOf(username);
  if (userId === null) throw new NotFoundError('LOOKUP_USER_NOT_FOUND', `No user found for ${username}`);
  const history = historyRepository(deps.pool);
  const [rows, errorRuns] = await Promise.all([
    history.page(userId, size + 1, before),
    before === null
      ? userErrorRuns(deps.pool, username, { window: ERROR_RUN_WINDOW, max: MAX_ERROR_RUNS })
      : Promise.resolve([]),
  ]);
  const entries = rows.slice(0, size);
  const nextPageToken = rows.length > size ? String(entries[entries.length - 1]!.id) : '';
  return { entries, errorRuns, nextPageToken };
}

/**
 * Flags the user in error so the next run re-applies them. lookup-service owns no schema, so it keeps
 * no audit table: it logs the change with the actor, and the caller (the portal) writes its audit log.
 */
export async function setErrorState(
  deps: LookupDeps,
  log: Logger,
  req: { username: string; actor: ChangeActor | undefined },
): Promise<{ user: UserView; changed: boolean }> {
  const username = parseUsername(req.username);
  if (!req.actor) throw new ValidationError('LOOKUP_ACTOR_REQUIRED', 'actor: who sets the error state is required');
  const repo = directoryReadRepository(deps.pool);
  const outcome = await repo.setError(username);
  if (!outcome) throw new NotFoundError('LOOKUP_USER_NOT_FOUND', `No user found for ${username}`);
  log.info(
    { username, changed: !outcome.wasSet, actor: { kind: req.actor.kind, id: req.actor.id } },
    'user error state set',
  );
  const [user] = await views(deps, await repo.byUsername(username));
  return { user: user!, changed: !outcome.wasSet };
}

/** Default and maximum search page sizes. */
export const SEARCH_PAGE = { default: 25, max: 100 };

/** A search page token: the last username shown, base64url (opaque to callers). */
const encodeToken = (username: string) => Buffer.from(username, 'utf8').toString('base64url');
function decodeToken(token: string): string {
  if (token === '') return '';
  const username = /^[A-Za-z0-9_-]{1,600}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (username === '')
    throw new ValidationError('LOOKUP_PAGE_TOKEN_INVALID', 'page_token: not a token from a previous page');
  return username;
}

/** Users whose username, email, name or "first last" starts with the query, by username, one page. */
export async function searchUsers(
  deps: LookupDeps,
  input: { query: string; pageSize: number; pageToken: string },
): Promise<{ users: UserSummaryRow[]; nextPageToken: string }> {
  const q = parseLookupQuery(input.query);
  const size = Math.min(Math.max(input.pageSize || SEARCH_PAGE.default, 1), SEARCH_PAGE.max);
  const after = decodeToken(input.pageToken);
  // Whitespace between first and last name is matched as one space, as the full-name index stores it.
  const prefix = q.text.replace(/\s+/g, ' ');
  const rows = await userSearchRepository(deps.pool).search({ prefix, byEmail: q.byEmail, after, limit: size + 1 });
  const users = rows.slice(0, size);
  return { users, nextPageToken: rows.length > size ? encodeToken(users.at(-1)!.username) : '' };
}
