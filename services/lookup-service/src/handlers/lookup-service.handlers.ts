/** gRPC `usersync.lookup.v1.LookupService`: protobuf in and out, the operations module in between. */
import { commonV1, lookupV1 } from '@usersync/contracts';
import { actorFromProto, unaryHandler } from '@usersync/platform';
import * as ops from '../usecases/lookup.operations.js';
import * as bin from '../usecases/recycle-bin.operations.js';
import type { LookupDeps, UserView } from '../usecases/lookup.operations.js';
import { displayValue } from '../domain/profile-view.js';
import type { HistoryRow } from '../store/history.repository.js';

const ACTIONS: Readonly<Record<HistoryRow['action'], commonV1.UserAction>> = {
  create: commonV1.UserAction.USER_ACTION_CREATE,
  update: commonV1.UserAction.USER_ACTION_UPDATE,
  reactivate: commonV1.UserAction.USER_ACTION_REACTIVATE,
  block: commonV1.UserAction.USER_ACTION_BLOCK,
  delete: commonV1.UserAction.USER_ACTION_DELETE,
  anonymise: commonV1.UserAction.USER_ACTION_ANONYMISE,
  restore: commonV1.UserAction.USER_ACTION_RESTORE,
};

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** A user view as a proto UserDetails. */
export function userToProto(u: UserView): lookupV1.UserDetails {
  return {
    username: u.username,
    title: u.title ?? '',
    nameFirst: u.nameFirst,
    nameLast: u.nameLast,
    email: u.email,
    active: u.active,
    inFeed: u.inFeed,
    error: u.error,
    managed: u.managed,
    source: u.source,
    groups: u.groups.map((g) => ({
      code: g.code,
      name: g.name,
      source: g.source === 'sync' ? lookupV1.GroupSource.GROUP_SOURCE_SYNC : lookupV1.GroupSource.GROUP_SOURCE_MANUAL,
    })),
    tags: Object.fromEntries(Object.entries(u.tags).map(([k, v]) => [k, displayValue(v)])),
    profile: u.profileEntries.map((p) => ({ code: p.code, label: p.label, values: p.values })),
    digest: u.digest ?? '',
    lastRunId: u.lastRunId ?? 0,
    lastRecordJson: u.record === null ? '' : JSON.stringify(u.record),
    lastRecordRunId: u.recordRunId ?? 0,
    notes: u.notes,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    recycleBin: u.recycle ?? undefined,
    anonymisedAt: u.anonymisedAt ?? undefined,
  };
}

/** The LookupService implementation over `deps`. */
export function createLookupServiceHandlers(deps: LookupDeps): lookupV1.LookupServiceServer {
  return {
    searchUsers: unaryHandler<lookupV1.SearchUsersRequest, lookupV1.SearchUsersResponse>(async (req) => {
      const page = await ops.searchUsers(deps, req);
      return { users: page.users.map((u) => ({ ...u, title: u.title ?? '' })), nextPageToken: page.nextPageToken };
    }),
    lookupUser: unaryHandler<lookupV1.LookupUserRequest, lookupV1.LookupUserResponse>(async (req) => {
      const users = await ops.lookupUser(deps, req.query);
      return { matches: users.map(userToProto) };
    }),
    getUserHistory: unaryHandler<lookupV1.GetUserHistoryRequest, lookupV1.GetUserHistoryResponse>(async (req) => {
      const page = await ops.getUserHistory(deps, req);
      return {
        entries: page.entries.map((e) => ({
          runId: e.runId,
          action: ACTIONS[e.action],
          changes: e.changes.map((c) => ({ field: c.field, before: json(c.before), after: json(c.after) })),
          at: e.at,
          reason: e.reason,
        })),
        errorRuns: page.errorRuns.map((r) => ({ runId: r.runId, at: r.at, errorLines: r.lines })),
        nextPageToken: page.nextPageToken,
      };
    }),
    listRecycleBin: unaryHandler<lookupV1.ListRecycleBinRequest, lookupV1.ListRecycleBinResponse>(async (req) => {
      const page = await bin.listRecycleBin(deps, req);
      return {
        entries: page.entries.map((e) => ({
          username: e.username,
          nameFirst: e.nameFirst,
          nameLast: e.nameLast,
          email: e.email,
          state: e.state,
          blockedByRunId: e.blockedByRunId ?? 0,
          memberships: e.memberships,
        })),
        nextPageToken: page.nextPageToken,
        total: page.total,
        graceDays: page.graceDays,
        afterGrace: page.afterGrace,
      };
    }),
    restoreUser: unaryHandler<lookupV1.RestoreUserRequest, lookupV1.RestoreUserResponse>(async (req, ctx) => {
      const username = await bin.restoreUser(deps, ctx.log, {
        username: req.username,
        actor: actorFromProto(req.actor),
      });
      const [user] = await ops.lookupUser(deps, username);
      return { user: user ? userToProto(user) : undefined };
    }),
    setErrorState: unaryHandler<lookupV1.SetErrorStateRequest, lookupV1.SetErrorStateResponse>(async (req, ctx) => {
      const { user } = await ops.setErrorState(deps, ctx.log, {
        username: req.username,
        actor: actorFromProto(req.actor),
      });
      return { user: userToProto(user) };
    }),
  };
}
