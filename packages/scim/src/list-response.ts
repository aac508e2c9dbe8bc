/**
 * Lists (RFC 7644 §3.4.2): the ListResponse envelope and the paging parameters. `startIndex` is
 * 1-based (less than 1 means 1); `count` 0 is valid and asks for the total only; a negative count is 0;
 * a count above the server's maximum is the maximum.
 */
import { badRequest } from './errors.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface Paging {
  startIndex: number;
  count: number;
}

function integerParam(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (!/^-?\d{1,15}$/.test(text.trim()))
    throw badRequest('invalidValue', `${name} must be an integer, not ${JSON.stringify(text)}.`);
  return Number(text);
}

export function parsePaging(startIndex: string | undefined, count: string | undefined, max: number): Paging {
  const start = integerParam('startIndex', startIndex) ?? 1;
  const n = integerParam('count', count) ?? max;
  return { startIndex: Math.max(1, start), count: Math.min(max, Math.max(0, n)) };
}

export function listResponse<T>(total: number, paging: Paging, resources: T[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    startIndex: paging.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** The schema of a POST `/.search` body (RFC 7644 §3.4.3). */
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
