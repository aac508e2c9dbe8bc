/**
 * What the multipart parser (busboy through @fastify/multipart) throws for a malformed body, as
 * client errors that say what is wrong and where, in the upload API's plain-text shape. Busboy's own
 * errors are plain `Error`s that would otherwise become 500s (issue 21: 176 of 1,603 fuzzed requests).
 */
import { AppError, ValidationError } from '@usersync/platform';

export const MultipartCodes = {
  truncated: 'UPLOAD_MULTIPART_TRUNCATED',
  noBoundary: 'UPLOAD_MULTIPART_NO_BOUNDARY',
  notMultipart: 'UPLOAD_NOT_MULTIPART',
  tooManyParts: 'UPLOAD_TOO_MANY_PARTS',
  badFieldName: 'UPLOAD_BAD_FIELD_NAME',
  malformed: 'UPLOAD_MULTIPART_MALFORMED',
  aborted: 'UPLOAD_ABORTED',
} as const;

const STORE_FAILED = 'OBJECT_STORE_FAILED';

/** Where the parser was when it failed: the part (1-based) and its field name, bytes of the file so far. */
export interface MultipartPosition {
  part: number;
  field?: string;
  fileBytes?: number;
}

function where(pos: MultipartPosition): string {
  if (pos.part === 0) return 'before the first part';
  const field = pos.field !== undefined ? ` (field ${JSON.stringify(pos.field)})` : '';
  const bytes = pos.fileBytes !== undefined ? `, after ${pos.fileBytes} bytes of the file` : '';
  return `in part ${pos.part}${field}${bytes}`;
}

const BUSBOY_TRUNCATED = /unexpected end of (multipart data|form)|terminated early/i;
const BUSBOY_BOUNDARY = /boundary (not found|required)/i;
const BUSBOY_MALFORMED = /malformed|unexpected|invalid|needle/i;

/**
 * The client error for a multipart failure, or undefined when `err` is not one (a store or database
 * failure keeps its own status). `contentType` is the request's header, quoted back to the client.
 */
export function multipartClientError(
  err: unknown,
  pos: MultipartPosition,
  contentType: string | undefined,
): AppError | undefined {
  if (err instanceof AppError) {
    // The store failed (not unavailable: that stays 503) because the body stream it read failed.
    const bodyFailed = err.code === STORE_FAILED && err.cause instanceof Error && !('code' in err.cause);
    return bodyFailed ? multipartClientError(err.cause, pos, contentType) : undefined;
  }
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: string }).code;
  const type = JSON.stringify(contentType ?? '');
  switch (code) {
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError(
        MultipartCodes.notMultipart,
        `Unsupported Content-Type ${type}: upload-file takes multipart/form-data with the fields name and file.`,
        'validation',
        { cause: err },
      );
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_FILES_LIMIT':
      return new AppError(
        MultipartCodes.tooManyParts,
        `Too many parts ${where(pos)}: upload-file takes the fields name, file and rdr (at most 20 fields and 40 parts).`,
        'too_large',
        { cause: err },
      );
    case 'FST_PROTO_VIOLATION':
      return new ValidationError(
        MultipartCodes.badFieldName,
        `Invalid field name ${where(pos)}: __proto__ and constructor are not field names.`,
        [],
        { cause: err },
      );
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new ValidationError(
        MultipartCodes.malformed,
        `Malformed field ${where(pos)}: its Content-Type says JSON but the value is not valid JSON.`,
        [],
        { cause: err },
      );
    case 'FST_MP_PREMATURE_CLOSE':
    case 'ECONNRESET':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new ValidationError(
        MultipartCodes.aborted,
        `Upload aborted ${where(pos)}: the connection closed before the multipart body ended.`,
        [],
        { cause: err },
      );
  }
  if (BUSBOY_BOUNDARY.test(err.message)) {
    return new ValidationError(
      MultipartCodes.noBoundary,
      `Malformed Content-Type ${type}: multipart/form-data needs a boundary parameter, e.g. multipart/form-data; boundary=XYZ.`,
      [],
      { cause: err },
    );
  }
  if (BUSBOY_TRUNCATED.test(err.message)) {
    return new ValidationError(
      MultipartCodes.truncated,
      `Malformed multipart body: it ends ${where(pos)} without the closing boundary; ` +
        'the upload was cut short, or the boundary in Content-Type does not match the body.',
      [],
      { cause: err },
    );
  }
  if (BUSBOY_MALFORMED.test(err.message)) {
    return new ValidationError(
      MultipartCodes.malformed,
      `Malformed multipart body ${where(pos)}: ${err.message}.`,
      [],
      { cause: err },
    );
  }
  return undefined;
}
