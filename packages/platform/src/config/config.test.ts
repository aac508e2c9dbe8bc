import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, bool, envSchemas, loadConfig, port } from './index.js';

const Env = z.object({
  ...envSchemas.database.shape,
  ...envSchemas.nats.shape,
  ...envSchemas.s3.shape,
  ...envSchemas.log.shape,
  HTTP_PORT: port(8081),
  AUTO_APPLY: bool(false),
});

const valid = {
  DATABASE_URL: 'postgres://usersync:pw@127.0.0.1:5432/usersync',
  S3_ACCESS_KEY: 'minio',
  S3_SECRET_KEY: 'minio-secret',
};

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('applies development defaults and returns a frozen, typed object', () => {
    const config = loadConfig(Env, valid);
    expect(config).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'usersync',
      S3_REGION: 'us-east-1',
      LOG_LEVEL: 'info',
      HTTP_PORT: 8081,
      AUTO_APPLY: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { HTTP_PORT: number }).HTTP_PORT = 1;
    }).toThrow(TypeError);
  });

  it('coerces ports and booleans from strings', () => {
    for (const [raw, expected] of [
      ['true', true],
      ['1', true],
      ['FALSE', false],
      ['0', false],
    ] as const) {
      expect(loadConfig(Env, { ...valid, AUTO_APPLY: raw }).AUTO_APPLY).toBe(expected);
    }
    expect(loadConfig(Env, { ...valid, HTTP_PORT: '9000' }).HTTP_PORT).toBe(9000);
  });

  it('names every bad variable with a reason', () => {
    const err = configError(() =>
      loadConfig(Env, { S3_ACCESS_KEY: 'k', HTTP_PORT: '70000', AUTO_APPLY: 'yes', LOG_LEVEL: 'loud' }),
    );
    expect(err.variables).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'S3_SECRET_KEY', 'HTTP_PORT', 'AUTO_APPLY', 'LOG_LEVEL']),
    );
    expect(err.message).toMatch(/^invalid environment: /);
    expect(err.message).toContain('DATABASE_URL (missing)');
    expect(err.message).toContain('S3_SECRET_KEY (missing)');
    expect(err.message).toMatch(/HTTP_PORT \([^)]*65535/);
    expect(err.code).toBe('CONFIG_INVALID');
  });

  it('never puts a value in the message, even a secret in a malformed URL', () => {
    const secret = 'hunter2-very-secret';
    const err = configError(() =>
      loadConfig(Env, { ...valid, DATABASE_URL: `not a url ${secret}`, LOG_LEVEL: secret, HTTP_PORT: secret }),
    );
    expect(err.variables).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'HTTP_PORT']);
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('hunter2');
    expect(JSON.stringify(err)).not.toContain(secret);
  });

  it('hides a value that a custom refinement echoes', () => {
    const Custom = z.object({
      TOKEN: z.string().refine((v) => v.startsWith('us_'), { error: (issue) => `bad ${String(issue.input)}` }),
    });
    const err = configError(() => loadConfig(Custom, { TOKEN: 'plaintext-token' }));
    expect(err.message).toBe('invalid environment: TOKEN (invalid value)');
  });
});
