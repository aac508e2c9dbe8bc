import { describe, expect, it } from 'vitest';
import { ValidationError, RetryableError } from './errors.js';
import { isTransientError } from './transient.js';

describe(isTransientError.name, () => {
  it('retries outages and retryable AppErrors', () => {
    expect(isTransientError(new RetryableError('X', 'down'))).toBe(true);
    expect(isTransientError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientError(Object.assign(new Error('serialization'), { code: '40001' }))).toBe(true);
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('does not retry bad input or bugs', () => {
    expect(isTransientError(new ValidationError('X', 'bad'))).toBe(false);
    expect(isTransientError(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isTransientError(new TypeError('x is undefined'))).toBe(false);
  });
});
