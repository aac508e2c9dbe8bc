import { describe, expect, it } from 'vitest';
import { HOLD_REASON_TEXT } from '@usersync/run-state';
import { heldMessage, renderStartSync, type StartSyncRunState } from './start-sync.js';

describe('renderStartSync', () => {
  it('renders every outcome as Haplo does in plain text', () => {
    expect(renderStartSync('ok', 'plain')).toEqual({
      statusCode: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'OK. Sync queued.',
    });
    expect(renderStartSync('disabled', 'plain').body).toBe('OK: Auto apply disabled; must apply manually.');
    expect(renderStartSync('unsafe', 'plain').body).toBe(
      'OK: Files uploaded are too different to previous sync; must apply manually.',
    );
    expect(renderStartSync('unready', 'plain')).toMatchObject({
      statusCode: 400,
      body: 'Last sync is not ready. Upload all the required files.',
    });
  });

  it('renders JSON with status, error and message, always 200', () => {
    expect(JSON.parse(renderStartSync('unready', 'json').body)).toEqual({
      status: 'missing-files',
      error: true,
      message: 'Last sync is not ready. Upload all the required files.',
    });
    expect(renderStartSync('unready', 'json').statusCode).toBe(200);
    expect(renderStartSync('ok', 'json').body).toBe(
      '{"status":"queued-for-apply","error":false,"message":"OK. Sync queued."}',
    );
  });

  it('renders XML with attributes and the escaped message as text', () => {
    expect(renderStartSync('ok', 'xml').body).toBe(
      '<response><sync error="false" status="queued-for-apply">OK. Sync queued.</sync></response>',
    );
    expect(renderStartSync('disabled', 'xml').body).toContain('status="admin-intervention-required"');
  });

  it('answers an unknown status with 500 in every kind', () => {
    for (const format of ['plain', 'json', 'xml'] as const) {
      const res = renderStartSync('weird', format);
      expect(res.statusCode).toBe(500);
      expect(res.body).toContain('Error: sync start signal returned unknown status.');
    }
    expect(renderStartSync('weird', 'xml').body).toBe(
      '<response><sync error="true" status="error">Error: sync start signal returned unknown status.</sync></response>',
    );
  });
});

const RUN_URL = 'http://gw.example:8081/api/user-sync/runs/7';
type State = StartSyncRunState;
const state = (over: Partial<State> = {}): State => ({
  id: 7,
  status: 'running',
  holdReason: null,
  holdDetail: null,
  failureMessage: null,
  ...over,
});
const render = (outcome: string, format: 'plain' | 'json' | 'xml', over: Partial<State> = {}) =>
  renderStartSync(outcome, format, { state: state(over), url: RUN_URL });

describe('renderStartSync with the run', () => {
  it("keeps the plain form Haplo's line alone, whatever the run became", () => {
    expect(render('ok', 'plain', { status: 'complete' })).toEqual({
      statusCode: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'OK. Sync queued.',
    });
    expect(render('unready', 'plain').body).toBe('Last sync is not ready. Upload all the required files.');
    expect(render('disabled', 'plain', { status: 'held', holdReason: 'auto_apply_off' }).body).toBe(
      'OK: Auto apply disabled; must apply manually.',
    );
  });

  it('adds runId and runUrl after status, error and message, and run-id/run-url after the XML attributes', () => {
    expect(render('ok', 'json').body).toBe(
      `{"status":"queued-for-apply","error":false,"message":"OK. Sync queued.","runId":7,"runUrl":"${RUN_URL}"}`,
    );
    expect(render('ok', 'xml').body).toBe(
      `<response><sync error="false" status="queued-for-apply" run-id="7" run-url="${RUN_URL}">OK. Sync queued.</sync></response>`,
    );
    expect(JSON.parse(render('unready', 'json', { status: 'uploading' }).body)).toEqual({
      status: 'missing-files',
      error: true,
      message: 'Last sync is not ready. Upload all the required files.',
      runId: 7,
      runUrl: RUN_URL,
    });
  });

  it('escapes the run RUN_URL in XML', () => {
    const res = renderStartSync('ok', 'xml', { state: state(), url: 'http://h/a?x=1&y="2"' });
    expect(res.body).toContain('run-url="http://h/a?x=1&amp;y=&quot;2&quot;"');
  });

  it('answers a run the worker held with the hold text and detail', () => {
    const held = { status: 'held', holdReason: 'block_threshold', holdDetail: 'would block 3 users' } as const;
    const message =
      'OK: This run would block more users than the configured limit (would block 3 users); must apply manually.';
    expect(JSON.parse(render('ok', 'json', held).body)).toEqual({
      status: 'admin-intervention-required',
      error: false,
      message,
      runId: 7,
      runUrl: RUN_URL,
      holdReason: { code: 'block_threshold', text: 'This run would block more users than the configured limit.' },
      holdDetail: 'would block 3 users',
    });
    expect(render('ok', 'xml', held).body).toBe(
      `<response><sync error="false" status="admin-intervention-required" run-id="7" run-url="${RUN_URL}" ` +
        `hold-reason="block_threshold">${message}</sync></response>`,
    );
    // No detail means no parenthesis.
    expect(render('ok', 'json', { status: 'held', holdReason: 'empty_source' }).body).toContain(
      '"message":"OK: The files contain no user records, but users are in the feed: applying would block them all; must apply manually."',
    );
  });

  it('answers complete, failure and cancelled once the worker finished', () => {
    expect(JSON.parse(render('ok', 'json', { status: 'complete' }).body)).toMatchObject({
      status: 'complete',
      error: false,
      message: 'OK. Sync applied.',
    });
    expect(
      JSON.parse(render('ok', 'json', { status: 'failure', failureMessage: 'S3 unreachable' }).body),
    ).toMatchObject({
      status: 'failure',
      error: true,
      message: 'Error: sync failed: S3 unreachable',
    });
    expect(render('ok', 'xml', { status: 'cancelled' }).body).toBe(
      `<response><sync error="true" status="cancelled" run-id="7" run-url="${RUN_URL}">Error: sync was cancelled.</sync></response>`,
    );
    expect(render('ok', 'json', { status: 'complete' }).statusCode).toBe(200);
  });

  it("keeps Haplo's messages for start-sync's own holds, with the hold reason added", () => {
    const body = JSON.parse(
      render('unsafe', 'json', { status: 'held', holdReason: 'first_run', holdDetail: 'no applied run' }).body,
    );
    expect(body).toMatchObject({
      status: 'admin-intervention-required',
      message: 'OK: Files uploaded are too different to previous sync; must apply manually.',
      holdReason: { code: 'first_run' },
      holdDetail: 'no applied run',
    });
  });
});

describe('heldMessage', () => {
  it('drops the final period of the text, and a detail equal to the text', () => {
    expect(heldMessage({ holdReason: 'auto_apply_off', holdDetail: HOLD_REASON_TEXT.auto_apply_off })).toBe(
      'OK: Automatic apply is turned off: this run must be applied by hand; must apply manually.',
    );
    expect(heldMessage({ holdReason: 'control_file_changed', holdDetail: 'files: staff added.' })).toBe(
      'OK: The control file changed since the last applied run (files: staff added); must apply manually.',
    );
  });
});
