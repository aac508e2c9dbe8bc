import { describe, expect, it } from 'vitest';
import { malformedBodyMessage } from './body-errors.js';
import { clientErrorAnswer, httpServerOptions } from './http-limits.js';

describe('clientErrorAnswer', () => {
  it("names the parser's reason and where it stopped", () => {
    const err = Object.assign(new Error('Parse Error'), {
      code: 'HPE_INVALID_CHUNK_SIZE',
      reason: 'Invalid character in chunk size',
      bytesParsed: 269,
    });
    expect(clientErrorAnswer(err)).toEqual({
      status: 400,
      body: 'Malformed HTTP request: Invalid character in chunk size (HPE_INVALID_CHUNK_SIZE) at byte 269 of the request.',
    });
  });

  it('answers 408 for timeouts, 431 for oversized heads and nothing for a reset', () => {
    expect(clientErrorAnswer(Object.assign(new Error('t'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }))?.status).toBe(408);
    expect(clientErrorAnswer(Object.assign(new Error('h'), { code: 'HPE_HEADER_OVERFLOW' }))?.status).toBe(431);
    expect(clientErrorAnswer(Object.assign(new Error('r'), { code: 'ECONNRESET' }))).toBeUndefined();
  });
});

describe('httpServerOptions', () => {
  it('keeps headersTimeout within requestTimeout and checks heads at least every second', () => {
    const opts = httpServerOptions({ headersTimeoutMs: 20_000, requestTimeoutMs: 5_000, bodyTimeoutMs: 1_000 });
    const http = (opts as { http?: unknown }).http as { headersTimeout: number; connectionsCheckingInterval: number };
    expect(http.headersTimeout).toBe(5_000);
    expect(http.connectionsCheckingInterval).toBeLessThanOrEqual(1_000);
    expect(opts.requestTimeout).toBe(5_000);
  });
});

describe('malformedBodyMessage', () => {
  it("recognises busboy's errors and leaves every other error alone", () => {
    expect(malformedBodyMessage(new Error('Unexpected end of multipart data'))).toMatch(/closing boundary/);
    expect(malformedBodyMessage(new Error('Multipart: Boundary not found'))).toMatch(/boundary parameter/);
    expect(malformedBodyMessage(new Error('connect ECONNREFUSED'))).toBeUndefined();
    expect(
      malformedBodyMessage(Object.assign(new Error('Unexpected end of form'), { statusCode: 400 })),
    ).toBeUndefined();
  });
});
