import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AppError, NotFoundError, RetryableError, ValidationError, errorEdges } from './errors.js';

describe('errorEdges', () => {
  it('maps each kind to gRPC status, HTTP status and queue action from one table', () => {
    expect(errorEdges(new ValidationError('X_BAD', 'bad'))).toMatchObject({
      grpc: status.INVALID_ARGUMENT,
      http: 400,
      queue: 'term',
    });
    expect(errorEdges(new NotFoundError('X_GONE', 'gone'))).toMatchObject({
      grpc: status.NOT_FOUND,
      http: 404,
      queue: 'term',
    });
    expect(errorEdges(new RetryableError('X_DOWN', 'down'))).toMatchObject({
      grpc: status.UNAVAILABLE,
      http: 503,
      queue: 'nak',
    });
  });

  it('hides the message of unknown errors', () => {
    const edges = errorEdges(new Error('password=hunter2 in a SQL error'));
    expect(edges).toMatchObject({ http: 500, queue: 'nak', code: 'INTERNAL', publicMessage: 'internal error' });
    expect(errorEdges(new AppError('X_BUG', 'secret detail')).publicMessage).toBe('internal error');
  });

  it('keeps the code and the message of known kinds', () => {
    expect(errorEdges(new ValidationError('RUN_BAD_NAME', 'name must match'))).toMatchObject({
      code: 'RUN_BAD_NAME',
      publicMessage: 'name must match',
    });
  });
});
