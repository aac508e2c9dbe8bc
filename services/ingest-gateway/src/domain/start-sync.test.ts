import { describe, expect, it } from 'vitest';
import { renderStartSync } from './start-sync.js';

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
