/**
 * start-sync's four outcomes and their three response kinds, exactly as Haplo answers them
 * (reference §1.5): upload scripts and monitoring parse these. The JSON and XML forms also name the
 * run and its status URL, and for a queued run they say what the worker decided when it decided within
 * the wait (issue 16: scripts get honest answers). The plain text form is Haplo's line, byte for byte.
 */
import { HOLD_REASON_TEXT, isHeld, type HoldReason, type RunStatus } from '@usersync/run-state';

export type StartSyncOutcome = 'ok' | 'disabled' | 'unsafe' | 'unready';
export type StartSyncFormat = 'plain' | 'json' | 'xml';

interface OutcomeText {
  message: string;
  status: string;
  error: boolean;
}

const OUTCOMES: Record<StartSyncOutcome, OutcomeText> = {
  unready: { message: 'Last sync is not ready. Upload all the required files.', status: 'missing-files', error: true },
  disabled: {
    message: 'OK: Auto apply disabled; must apply manually.',
    status: 'admin-intervention-required',
    error: false,
  },
  unsafe: {
    message: 'OK: Files uploaded are too different to previous sync; must apply manually.',
    status: 'admin-intervention-required',
    error: false,
  },
  ok: { message: 'OK. Sync queued.', status: 'queued-for-apply', error: false },
};

const UNKNOWN: OutcomeText = {
  message: 'Error: sync start signal returned unknown status.',
  status: 'error',
  error: true,
};

const ADMIN_INTERVENTION = 'admin-intervention-required';

/** What the answer needs to know of the run start-sync looked at (a RunRow fits). */
export interface StartSyncRunState {
  id: number;
  status: RunStatus;
  holdReason: HoldReason | null;
  holdDetail: string | null;
  failureMessage: string | null;
}

/** The run behind an answer: its state as last read, and its absolute status URL. */
export interface StartSyncRun {
  state: StartSyncRunState;
  url: string;
}

/** An answer before it is rendered: Haplo's three fields, plus the run and its hold when known. */
export interface StartSyncAnswer extends OutcomeText {
  run?: { id: number; url: string };
  hold?: { reason: { code: HoldReason; text: string } | null; detail: string | null };
}

function holdOf(state: StartSyncRunState): NonNullable<StartSyncAnswer['hold']> {
  return {
    reason: state.holdReason ? { code: state.holdReason, text: HOLD_REASON_TEXT[state.holdReason] } : null,
    detail: state.holdDetail,
  };
}

/** `OK: <reason text without its final period> (<detail>); must apply manually.` */
export function heldMessage(state: Pick<StartSyncRunState, 'holdReason' | 'holdDetail'>): string {
  const text = (state.holdReason ? HOLD_REASON_TEXT[state.holdReason] : 'The run is held for an admin').replace(
    /\.$/,
    '',
  );
  const detail = state.holdDetail?.trim().replace(/\.$/, '');
  return detail && detail !== text
    ? `OK: ${text} (${detail}); must apply manually.`
    : `OK: ${text}; must apply manually.`;
}

/**
 * What the worker made of a queued run, as last read: still `running` (or anything unexpected) is
 * Haplo's `queued-for-apply`; a finished or held run says so.
 */
export function decisionText(state: StartSyncRunState): OutcomeText {
  switch (state.status) {
    case 'complete':
      return { status: 'complete', error: false, message: 'OK. Sync applied.' };
    case 'failure':
      return {
        status: 'failure',
        error: true,
        message: state.failureMessage ? `Error: sync failed: ${state.failureMessage}` : 'Error: sync failed.',
      };
    case 'cancelled':
      return { status: 'cancelled', error: true, message: 'Error: sync was cancelled.' };
    default:
      return isHeld(state) ? { status: ADMIN_INTERVENTION, error: false, message: heldMessage(state) } : OUTCOMES.ok;
  }
}

/** The answer to an outcome (or an unknown one, Haplo's error), knowing the run when there is one. */
export function startSyncAnswer(outcome: string, run?: StartSyncRun): StartSyncAnswer {
  const known = Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome as StartSyncOutcome] : undefined;
  if (!known) return { ...UNKNOWN };
  if (!run) return { ...known };
  const text = outcome === 'ok' ? decisionText(run.state) : known;
  const answer: StartSyncAnswer = { ...text, run: { id: run.state.id, url: run.url } };
  if (text.status === ADMIN_INTERVENTION) answer.hold = holdOf(run.state);
  return answer;
}

/** An HTTP answer: status code, content type and body. */
export interface StartSyncResponse {
  statusCode: number;
  contentType: string;
  body: string;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function jsonBody(answer: StartSyncAnswer): string {
  const body: Record<string, unknown> = { status: answer.status, error: answer.error, message: answer.message };
  if (answer.run) {
    body.runId = answer.run.id;
    body.runUrl = answer.run.url;
  }
  if (answer.hold) {
    body.holdReason = answer.hold.reason;
    body.holdDetail = answer.hold.detail;
  }
  return JSON.stringify(body);
}

function xmlBody(answer: StartSyncAnswer): string {
  const attrs: Array<[string, string]> = [
    ['error', String(answer.error)],
    ['status', answer.status],
  ];
  if (answer.run) attrs.push(['run-id', String(answer.run.id)], ['run-url', answer.run.url]);
  if (answer.hold?.reason) attrs.push(['hold-reason', answer.hold.reason.code]);
  const rendered = attrs.map(([name, value]) => ` ${name}="${escapeXml(value)}"`).join('');
  return `<response><sync${rendered}>${escapeXml(answer.message)}</sync></response>`;
}

/**
 * Renders an outcome (or an unknown one, Haplo's 500) in the requested format. `run` adds the run to the
 * JSON and XML forms (and, for `ok`, what became of it); the plain form is always Haplo's message alone.
 */
export function renderStartSync(outcome: string, format: StartSyncFormat, run?: StartSyncRun): StartSyncResponse {
  const known = Object.hasOwn(OUTCOMES, outcome);
  if (format === 'plain') {
    const text = known ? OUTCOMES[outcome as StartSyncOutcome] : UNKNOWN;
    const statusCode = !known ? 500 : outcome === 'unready' ? 400 : 200;
    return { statusCode, contentType: 'text/plain; charset=utf-8', body: text.message };
  }
  const answer = startSyncAnswer(outcome, run);
  const statusCode = known ? 200 : 500;
  if (format === 'json') return { statusCode, contentType: 'application/json; charset=utf-8', body: jsonBody(answer) };
  return { statusCode, contentType: 'application/xml; charset=utf-8', body: xmlBody(answer) };
}
