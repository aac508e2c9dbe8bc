/**
 * JSON schemas of the upload and status API routes (issue 17 item 6): the OpenAPI document is
 * generated from them by @fastify/swagger. The routes keep their own checks (Haplo-style messages
 * scripts parse), so parameters are validated with `attachValidation` and never refused by ajv; the
 * routes send pre-serialised strings, so response schemas describe the answer without filtering it.
 */
import type { FastifySchema } from 'fastify';
import { RUN_SOURCES, RUN_STATUSES } from '@usersync/run-state';

const text = (description: string) => ({ description, content: { 'text/plain': { schema: { type: 'string' } } } });
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time' } as const;
const actor = {
  type: 'object',
  properties: { kind: { type: 'string' }, displayName: { type: 'string' } },
  required: ['kind', 'displayName'],
};
const counts = {
  type: 'object',
  description: 'Users per action (create, update, block, …); empty until planned or applied.',
  additionalProperties: { type: 'integer' },
};

/** The errors every API route may answer, as text/plain (scripts print the body). */
export const ERROR_RESPONSES = {
  400: text('Bad input, with a message saying what and where (Haplo messages where Haplo has one).'),
  401: text('No API key, or an unknown, revoked or expired key. Carries WWW-Authenticate: Basic realm="usersync".'),
  403: text('The key lacks scope sync:upload: "Not permitted".'),
  408: text(
    'Headers or body arrived too slowly (HTTP_HEADERS_TIMEOUT_MS, HTTP_BODY_TIMEOUT_MS); the connection closes.',
  ),
  413: text('Over the size limit (MAX_UPLOAD_BYTES, MAX_CONTROL_BYTES, or more than 40 multipart parts).'),
  415: text('A Content-Type the route does not take.'),
  431: text('Request line and headers over 16 KiB.'),
  503: text('S3, PostgreSQL, NATS or key-service is down; nothing was recorded. Try again later.'),
} as const;

export const PROGRESS_SCHEMA = nullable({
  type: 'object',
  description: 'How far the worker is; null before a worker picked the run up.',
  properties: {
    phase: { type: 'string' },
    unit: { type: 'string', enum: ['records', 'bytes'] },
    processed: { type: 'number' },
    total: nullable({ type: 'number' }),
    percent: nullable({ type: 'number', description: '0–100, one decimal; null without a total.' }),
    startedAt: dateTime,
    updatedAt: dateTime,
    elapsedSeconds: { type: 'number' },
    etaSeconds: nullable({ type: 'number' }),
    secondsSinceUpdate: { type: 'number' },
    stalled: { type: 'boolean', description: 'A working phase with no update for longer than the threshold.' },
  },
  required: ['phase', 'unit', 'processed', 'total', 'percent', 'startedAt', 'updatedAt', 'elapsedSeconds'],
});

/** A run as `GET runs/:id` and the runs list give it (run-status.routes `runJson`). */
export const RUN_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    status: { type: 'string', enum: [...new Set<string>([...RUN_STATUSES, 'held'])] },
    source: {
      type: 'string',
      enum: [...RUN_SOURCES],
      description: 'What the run carries: file (uploaded data files) or scim (a snapshot of the SCIM source).',
    },
    outcome: nullable({
      type: 'string',
      description: 'What became of a finished run: complete, complete_with_errors, failed, cancelled.',
    }),
    holdReason: nullable({
      type: 'object',
      properties: { code: { type: 'string' }, text: { type: 'string' } },
      required: ['code', 'text'],
    }),
    holdDetail: nullable({ type: 'string' }),
    hasPlan: { type: 'boolean', description: 'A held run can be approved once its plan is stored.' },
    createdAt: dateTime,
    readyAt: nullable(dateTime),
    startedAt: nullable(dateTime),
    appliedAt: nullable(dateTime),
    finishedAt: nullable(dateTime),
    approvedBy: nullable(actor),
    approvedScope: nullable({
      type: 'object',
      description: 'A partial approval: the actions applied now, users kept back, and why.',
      properties: {
        actions: { type: 'array', items: { type: 'string' } },
        excludedUsernames: { type: 'array', items: { type: 'string' } },
        reason: { type: 'string' },
      },
    }),
    remainderOf: nullable({ type: 'integer', description: 'The run whose held remainder this run continues.' }),
    cancelRequested: { type: 'boolean' },
    cancelledBy: nullable(actor),
    cancelReason: nullable({ type: 'string' }),
    failureMessage: nullable({ type: 'string' }),
    reappliedFrom: nullable({ type: 'integer' }),
    errorCount: { type: 'integer' },
    errorGroups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { message: { type: 'string' }, count: { type: 'integer' }, username: nullable({ type: 'string' }) },
      },
    },
    counts,
    planCounts: counts,
    expectedFiles: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'status', 'source', 'createdAt'],
} as const;

export const RUN_FILE_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    filename: { type: 'string' },
    digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    size: { type: 'integer' },
  },
  required: ['name', 'filename', 'digest', 'size'],
} as const;

export const RUN_STATUS_SCHEMA = {
  type: 'object',
  properties: {
    ...RUN_SCHEMA.properties,
    files: { type: 'array', items: RUN_FILE_SCHEMA },
    progress: PROGRESS_SCHEMA,
  },
  required: [...RUN_SCHEMA.required, 'files'],
} as const;

const RUN_ID = { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'A run id (a positive integer).' };

export const RUN_STATUS_ROUTE: FastifySchema = {
  tags: ['status'],
  summary: "A run's status, files and progress",
  description: 'For scripts that wait for a run: poll until `status` is complete, failure, cancelled or held.',
  params: { type: 'object', properties: { id: RUN_ID }, required: ['id'] },
  response: {
    200: { description: 'The run.', content: { 'application/json': { schema: RUN_STATUS_SCHEMA } } },
    404: text('No run with that id.'),
    ...ERROR_RESPONSES,
  },
};

export const RUN_LIST_ROUTE: FastifySchema = {
  tags: ['status'],
  summary: 'The runs, newest first',
  description: 'Paged by `before`; `next` is the absolute URL of the next page, null on the last.',
  querystring: {
    type: 'object',
    properties: {
      status: {
        anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
        description: 'One status or a comma-separated list; repeating status= also works.',
      },
      limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1–100, default 20.' },
      before: { ...RUN_ID, description: 'Only runs with a smaller id.' },
    },
  },
  response: {
    200: {
      description: 'A page of runs.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { runs: { type: 'array', items: RUN_SCHEMA }, next: nullable({ type: 'string' }) },
            required: ['runs', 'next'],
          },
        },
      },
    },
    ...ERROR_RESPONSES,
  },
};
