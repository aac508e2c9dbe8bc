/**
 * start-sync's four outcomes and their three response kinds, exactly as Haplo answers them
 * (reference §1.5): upload scripts and monitoring parse these.
 */
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

/** Renders an outcome (or an unknown one, Haplo's 500) in the requested format. */
export function renderStartSync(outcome: string, format: StartSyncFormat): StartSyncResponse {
  const known = Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome as StartSyncOutcome] : undefined;
  const text = known ?? UNKNOWN;
  if (format === 'plain') {
    const statusCode = !known ? 500 : outcome === 'unready' ? 400 : 200;
    return { statusCode, contentType: 'text/plain; charset=utf-8', body: text.message };
  }
  const statusCode = known ? 200 : 500;
  if (format === 'json') {
    const body = JSON.stringify({ status: text.status, error: text.error, message: text.message });
    return { statusCode, contentType: 'application/json; charset=utf-8', body };
  }
  const body =
    `<response><sync error="${text.error}" status="${escapeXml(text.status)}">` +
    `${escapeXml(text.message)}</sync></response>`;
  return { statusCode, contentType: 'application/xml; charset=utf-8', body };
}
