/**
 * The audit log as people read it: one list of the portal's own entries (admin.audit) and the runs
 * schema's (uploads, start-sync and decisions by scripts and by usersync itself, through
 * RunAuditService), each with a sentence for its action, a link to what it acted on and its detail
 * as "field: before → after" lines instead of raw JSON.
 */
import type { AuditActor, AuditRecord } from '../store/audit.repository.js';

/** One line of the merged log. */
export interface AuditItem {
  /** Where it is recorded: the portal's log or the runs schema's trail. */
  source: 'admin' | 'run';
  id: number;
  at: Date;
  actor: AuditActor;
  action: string;
  label: string;
  target: { text: string; href?: string } | undefined;
  ip: string | null;
  changes: Array<{ field: string; before: string; after: string }>;
  facts: Array<{ name: string; value: string }>;
}

/** What each action says, portal (dotted) and runs schema (snake_case) alike. */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'admin.seeded': 'First admin created',
  'login.succeeded': 'Signed in',
  'login.failed': 'Sign-in failed',
  'login.rate_limited': 'Sign-in refused (too many failures)',
  logout: 'Signed out',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'config.updated': 'Configuration changed',
  'user.restored': 'User restored from the recycle bin',
  recycle_anonymise: 'Users anonymised after the grace period',
  recycle_delete: 'Users deleted after the grace period',
  'control_file.uploaded': 'Control file uploaded',
  'run_file.uploaded': 'File uploaded in the portal',
  'run_file.reused': 'File reused in the portal',
  'run.apply': 'Run applied',
  'run.reapply': 'Run re-applied',
  'run.cancel': 'Run cancelled',
  'run.force_cancel': 'Run force-cancelled',
  'user.error_state_set': 'User set to error state',
  upload_file: 'File uploaded',
  mark_ready: 'Run ready (all files received)',
  start_sync: 'Sync started',
  hold: 'Run held',
  queue: 'Run queued',
  apply: 'Run applied',
  apply_part: 'Part of a run applied',
  reapply: 'Run re-applied',
  cancel: 'Run cancelled',
  force_cancel: 'Run force-cancelled',
  supersede: 'Run superseded by a new upload',
  update_config: 'Configuration changed',
  upload_control_file: 'Control file uploaded',
};

/** Sign-in actions: hidden unless asked for, since they outnumber everything else. */
export const SIGN_IN_ACTIONS: readonly string[] = ['login.succeeded', 'login.failed', 'login.rate_limited', 'logout'];

/** A value as one short line of text. */
export function displayValue(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  if (v === '') return '(empty)';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v))
    return v.length === 0 ? '(none)' : v.map((x) => (typeof x === 'object' ? compact(x) : String(x))).join(', ');
  return compact(v);
}

/** An object in one line: `code: staff, name: Staff`. */
function compact(v: unknown): string {
  if (!v || typeof v !== 'object') return String(v);
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}: ${typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x)}`)
    .join(', ');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `detail` as changed fields (its before/after pair) and other facts. */
export function describeDetail(detail: Record<string, unknown>): Pick<AuditItem, 'changes' | 'facts'> {
  const changes: AuditItem['changes'] = [];
  const facts: AuditItem['facts'] = [];
  const { before, after, ...rest } = detail;
  if (isObject(before) && isObject(after)) {
    for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
      if (!same(before[field], after[field]))
        changes.push({ field, before: displayValue(before[field]), after: displayValue(after[field]) });
    }
  } else {
    if (before !== undefined) facts.push({ name: 'before', value: displayValue(before) });
    if (after !== undefined) facts.push({ name: 'after', value: displayValue(after) });
  }
  for (const [name, value] of Object.entries(rest)) facts.push({ name, value: displayValue(value) });
  return { changes, facts };
}

/** A target as text and, where there is a page for it, a link. */
function targetOf(target: string | null, runId?: number): AuditItem['target'] {
  if (runId) return { text: `Run ${runId}`, href: `/runs/${runId}` };
  if (!target) return undefined;
  const run = /^run:(\d+)$/.exec(target);
  if (run) return { text: `Run ${run[1]}`, href: `/runs/${run[1]}` };
  const user = /^user:(.+)$/.exec(target);
  if (user) return { text: `User ${user[1]}`, href: `/users/lookup?q=${encodeURIComponent(user[1]!)}` };
  if (target.startsWith('api_key:')) return { text: 'API key', href: '/api-keys' };
  if (target === 'sync_config') return { text: 'Configuration', href: '/config' };
  return { text: target };
}

/** A portal entry as a line of the log. */
export function adminItem(e: AuditRecord): AuditItem {
  return {
    source: 'admin',
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    label: ACTION_LABELS[e.action] ?? e.action,
    target: targetOf(e.target),
    ip: e.ip,
    ...describeDetail(e.detail ?? {}),
  };
}

/** A runs-schema entry as a line of the log. */
export function runItem(e: {
  id: number;
  at: Date;
  actor: AuditActor;
  action: string;
  runId: number;
  detail: Record<string, unknown>;
}): AuditItem {
  return {
    source: 'run',
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    label: ACTION_LABELS[e.action] ?? e.action,
    target: e.runId ? targetOf(null, e.runId) : e.action.includes('config') ? targetOf('sync_config') : undefined,
    ip: null,
    ...describeDetail(e.detail),
  };
}

/**
 * Position in newest-first order across both sources: the millisecond, then the runs trail before
 * the portal's log at the same millisecond, then the id. The cursor `<ms>.<0|1>.<id>` names the
 * last line shown.
 */
const rank = (source: AuditItem['source']) => (source === 'run' ? 1 : 0);
export function compareItems(a: AuditItem, b: AuditItem): number {
  return b.at.getTime() - a.at.getTime() || rank(b.source) - rank(a.source) || b.id - a.id;
}
export function cursorOf(item: AuditItem): string {
  return `${item.at.getTime()}.${rank(item.source)}.${item.id}`;
}
/** The per-source positions of a cursor (see compareItems): what each source lists after it. */
export function parseCursor(
  text: string | undefined,
): { admin: { at: Date; id: number }; run: { at: Date; id: number } } | undefined {
  const m = /^(\d{1,15})\.([01])\.(\d{1,15})$/.exec(text ?? '');
  if (!m) return undefined;
  const at = new Date(Number(m[1]));
  const id = Number(m[3]);
  const runFirst = m[2] === '1';
  // After a runs-trail line every portal entry of that millisecond is still to come, and no run entry above its id.
  return runFirst
    ? { admin: { at, id: Number.MAX_SAFE_INTEGER }, run: { at, id } }
    : { admin: { at, id }, run: { at, id: 0 } };
}
