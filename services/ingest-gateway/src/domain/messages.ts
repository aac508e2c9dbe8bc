/**
 * Texts the upload API answers with. Haplo's are exact (reference §1.4, §1.5): upload scripts and
 * monitoring grep for them. Ours (usersync additions) say what is wrong and what to do.
 */
export const HaploMessages = {
  unexpectedState: 'Sync in unexpected state -- use admin interface to resolve.',
  alreadyUploaded: (name: string) => `File ${name} has already been uploaded for this sync run.`,
  notPermitted: 'Not permitted',
} as const;

/** Error codes of the ingest area (UPPER_SNAKE, `INGEST_`/`RUN_` prefix). */
export const IngestCodes = {
  badName: 'INGEST_BAD_NAME',
  noName: 'INGEST_NO_NAME',
  nameAfterFile: 'INGEST_NAME_AFTER_FILE',
  noFile: 'INGEST_NO_FILE',
  unknownName: 'INGEST_UNKNOWN_NAME',
  noControlFile: 'INGEST_NO_CONTROL_FILE',
  alreadyUploaded: 'INGEST_ALREADY_UPLOADED',
  unexpectedState: 'INGEST_UNEXPECTED_STATE',
  invalidControlFile: 'INGEST_INVALID_CONTROL_FILE',
  controlTooLarge: 'INGEST_CONTROL_TOO_LARGE',
  controlDropsFiles: 'INGEST_CONTROL_DROPS_FILES',
  badRedirect: 'INGEST_BAD_REDIRECT',
  unavailable: 'INGEST_DEPENDENCY_UNAVAILABLE',
  actorRequired: 'RUN_ACTOR_REQUIRED',
  runOpen: 'RUN_ANOTHER_OPEN',
  badPageToken: 'RUN_BAD_PAGE_TOKEN',
  fileNotFound: 'RUN_FILE_NOT_FOUND',
  reasonRequired: 'RUN_REASON_REQUIRED',
  controlFileNotFound: 'RUN_CONTROL_FILE_NOT_FOUND',
  badUploadStream: 'RUN_BAD_UPLOAD_STREAM',
  planPending: 'RUN_PLAN_PENDING',
  partialNeedsPlan: 'RUN_PARTIAL_NEEDS_PLAN',
  badBundle: 'INGEST_BAD_BUNDLE',
  bodyIncomplete: 'INGEST_BODY_INCOMPLETE',
} as const;

/** 400 body for a name the run's control file does not list. */
export function unknownNameMessage(name: string, expected: readonly string[]): string {
  return `File ${name} is not expected by the control file. Expected files: ${expected.join(', ')}.`;
}

/** 400 body for a data file uploaded before any control file exists. */
export function noControlFileMessage(name: string): string {
  return `File ${name} cannot be uploaded: no control file has been uploaded yet. Upload _control first.`;
}
