/** Any value JSON can represent; desired states and profile values are built from these only. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One value of a profile attribute: a string, number, boolean, or a structured object (person name, address, json). */
export type ProfileValue = JsonValue;

/** A record as a reader yields it: usually an object, but JSON feeds may contain any value. */
export type SourceRecord = Record<string, unknown>;

export type ReaderName =
  'json' | 'tsv-with-name-row' | 'csv' | 'xml-text-of-children' | 'xml-attributes' | 'oneroster-csv';

export const READER_NAMES: readonly ReaderName[] = [
  'json',
  'tsv-with-name-row',
  'csv',
  'xml-text-of-children',
  'xml-attributes',
  'oneroster-csv',
];

/** `files.<name>` of a control file, after validation. */
export interface FileSpec {
  read: ReaderName;
  singleRecord?: boolean;
  charset?: string;
  separator?: string;
}

/** An instruction exactly as written in the control file (validated, but not rewritten). */
export interface Instruction {
  action?: string;
  [property: string]: unknown;
}

/** A named `mapping` table: input value → code (group code or code-valued profile attribute). */
export interface MappingSpec {
  values: Record<string, string>;
  using?: string;
  types?: string[];
}

export type Severity = 'error' | 'warning';

/** One problem found in a control file, located by a JSON path such as `$.instructions[3].destination`. */
export interface ControlFileError {
  path: string;
  message: string;
  code: ControlFileErrorCode;
  severity: Severity;
}

export type ControlFileErrorCode =
  | 'INVALID_JSON'
  | 'NOT_A_CONTROL_FILE'
  | 'BAD_VERSION'
  | 'BAD_MODEL'
  | 'BAD_FILES'
  | 'BAD_READER'
  | 'BAD_INSTRUCTIONS'
  | 'UNKNOWN_ACTION'
  | 'MISSING_PROPERTY'
  | 'BAD_PROPERTY'
  | 'FORBIDDEN_ACTION'
  | 'UNKNOWN_DESTINATION'
  | 'UNKNOWN_NAME'
  | 'FOR_EACH_OVERWRITE'
  | 'UNKNOWN_FILTER'
  | 'UNKNOWN_MAPPING'
  | 'BAD_MAPPING'
  | 'BAD_CONVERSION'
  | 'UNSUPPORTED'
  | 'NO_USERNAME_RULE';

/** The desired state of one user, computed from one record. Compare with `desiredStateDigest`. */
export interface DesiredUser {
  username: string;
  title?: string;
  nameFirst: string;
  nameLast: string;
  email: string;
  /** Group API codes, sorted and without duplicates. */
  groups: string[];
  tags: Record<string, string>;
  /** Attribute code → values; attributes without values are left out. */
  profile: Record<string, ProfileValue[]>;
}
