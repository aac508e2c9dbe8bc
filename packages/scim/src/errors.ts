/**
 * SCIM error responses (RFC 7644 §3.12): an HTTP status, an optional `scimType` keyword, and a detail
 * that says what was wrong and where (the attribute path or the position in a filter).
 */

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The `scimType` keywords of RFC 7644 Table 9 (400 unless noted). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness' // 409
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** A failure to answer with a SCIM error body. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, scimType, detail);
export const notFound = (detail: string) => new ScimError(404, undefined, detail);
export const conflict = (detail: string) => new ScimError(409, 'uniqueness', detail);
export const preconditionFailed = (detail: string) => new ScimError(412, undefined, detail);

/** The JSON body of an error response; `status` is a string, as RFC 7644 §3.12 shows it. */
export function errorBody(error: ScimError): Record<string, unknown> {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}
