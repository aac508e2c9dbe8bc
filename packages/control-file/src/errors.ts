/** Codes of errors this library throws (validation problems are returned, not thrown). */
export type EngineErrorCode = 'CONTROL_FILE_INVALID' | 'NO_USERNAME_RULE' | 'FILE_MISSING' | 'READER_FAILED';

/** Thrown when a run cannot go on: a control file that does not compile, a missing file, unreadable data. */
export class ControlFileEngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface ReaderErrorLocation {
  /** 1-based line of the problem (or of the start of the bad record). */
  line?: number;
  column?: number;
  /** 0-based number of the record within this file. */
  recordNumber?: number;
  byteOffset?: number;
}

/** Malformed input in a data file, located as precisely as the format allows. */
export class ReaderError extends ControlFileEngineError {
  readonly fileName: string;
  readonly location: ReaderErrorLocation;

  constructor(fileName: string, detail: string, location: ReaderErrorLocation = {}, options?: ErrorOptions) {
    super('READER_FAILED', `Error reading file ${fileName}${describe(location)}: ${detail}`, options);
    this.fileName = fileName;
    this.location = location;
  }
}

function describe(loc: ReaderErrorLocation): string {
  const parts: string[] = [];
  if (loc.line !== undefined)
    parts.push(loc.column !== undefined ? `line ${loc.line}, column ${loc.column}` : `line ${loc.line}`);
  if (loc.recordNumber !== undefined) parts.push(`record ${loc.recordNumber}`);
  if (loc.byteOffset !== undefined) parts.push(`byte ${loc.byteOffset}`);
  return parts.length > 0 ? ` at ${parts.join(', ')}` : '';
}
