/**
 * Bulk requests (RFC 7644 §3.7) as Microsoft Entra's API-driven inbound provisioning sends them to its
 * `/bulkUpload` endpoint: `Operations[]` of `method: "POST"` to `/Users`, each a whole user in `data`,
 * matched on `externalId` (create when new, replace when known). Lenient where Microsoft's own samples
 * are: `path: "/users"` in any case, `username` for `userName`, repeated `bulkId`s, `failOnErrors: null`.
 * A request-level problem throws; a problem in one operation is that operation's result, not the
 * request's.
 */
import { badRequest, ScimError } from './errors.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
/**
 * Microsoft documents at most 50 user operations per bulkUpload request; we accept up to this many by
 * default (a superset: converters that batch more still work), configurable per gateway.
 */
export const DEFAULT_MAX_BULK_OPERATIONS = 1_000;

export interface BulkUserOperation {
  index: number;
  bulkId: string | undefined;
  /** The user, as sent; normalised (and refused, per operation) by the caller. */
  data: unknown;
  /** Why the operation cannot be applied at all (wrong method or path, no data), or undefined. */
  problem: ScimError | undefined;
}

export interface BulkUpload {
  operations: BulkUserOperation[];
  /** Stop after this many failed operations (null or absent: never stop). */
  failOnErrors: number | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const member = (o: Record<string, unknown>, name: string) => {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
};

export function parseBulkUpload(body: unknown, maxOperations = DEFAULT_MAX_BULK_OPERATIONS): BulkUpload {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON BulkRequest object.');
  const schemas = member(body, 'schemas');
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(BULK_REQUEST_SCHEMA)))
    throw badRequest('invalidSyntax', `"schemas" must contain "${BULK_REQUEST_SCHEMA}".`);
  const list = member(body, 'Operations');
  if (!Array.isArray(list) || list.length === 0)
    throw badRequest('invalidSyntax', '"Operations" must be a non-empty array of bulk operations.');
  if (list.length > maxOperations)
    throw new ScimError(
      413,
      'tooMany',
      `A bulk request may carry at most ${maxOperations} operations; this one has ${list.length}.`,
    );
  const fail = member(body, 'failOnErrors');
  if (fail !== undefined && fail !== null && !(typeof fail === 'number' && Number.isInteger(fail) && fail >= 1))
    throw badRequest('invalidValue', '"failOnErrors" must be a positive integer or null.');
  return {
    failOnErrors: typeof fail === 'number' ? fail : undefined,
    operations: list.map((raw, index) => parseOperation(raw, index)),
  };
}

function parseOperation(raw: unknown, index: number): BulkUserOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw))
    return {
      index,
      bulkId: undefined,
      data: undefined,
      problem: badRequest('invalidSyntax', `${where} must be an object.`),
    };
  const bulkIdRaw = member(raw, 'bulkId');
  const bulkId = typeof bulkIdRaw === 'string' || typeof bulkIdRaw === 'number' ? String(bulkIdRaw) : undefined;
  const method = member(raw, 'method');
  const path = member(raw, 'path');
  const data = member(raw, 'data');
  let problem: ScimError | undefined;
  if (typeof method !== 'string' || method.toUpperCase() !== 'POST')
    problem = badRequest(
      'invalidValue',
      `${where}.method must be "POST" (bulkUpload creates or updates users), not ${JSON.stringify(method)}.`,
    );
  else if (typeof path !== 'string' || path.trim().replace(/\/+$/, '').toLowerCase() !== '/users')
    problem = badRequest('invalidPath', `${where}.path must be "/Users", not ${JSON.stringify(path)}.`);
  else if (!isObject(data)) problem = badRequest('invalidSyntax', `${where}.data must be a User object.`);
  return { index, bulkId, data, problem };
}

/** One operation's outcome, as a BulkResponse operation (RFC 7644 §3.7.3). */
export interface BulkResult {
  method: 'POST';
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: Record<string, unknown>;
}
