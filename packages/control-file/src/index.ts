export type {
  ControlFileError,
  ControlFileErrorCode,
  DesiredUser,
  FileSpec,
  Instruction,
  JsonValue,
  MappingSpec,
  ProfileValue,
  ReaderName,
  Severity,
  SourceRecord,
} from './model/types.js';
export { READER_NAMES } from './model/types.js';
export {
  defaultProfileSchema,
  parseProfileSchema,
  PROFILE_ATTRIBUTE_TYPES,
  type ProfileAttribute,
  type ProfileAttributeType,
  type ProfileSchema,
  type ProfileSchemaResult,
} from './model/profile-schema.js';
export { MODEL_ALIASES, USER_SYNC_MODEL_NAME } from './model/user-sync-model.js';
export { FILTER_NAMES } from './conversion/filters.js';
export {
  NO_USERNAME_RULE_MESSAGE,
  validateControl,
  type ControlFile,
  type ValidateOptions,
  type Validation,
} from './validation/validate-control.js';
export {
  expectedFiles,
  formatControlFileError,
  parseControlFile,
  type ParseControlFileResult,
} from './validation/parse-control-file.js';
export { CONTROL_FILE_NAME, FILE_NAME_PATTERN, isUploadName } from './validation/validate-files.js';
export { createTransformer, type TransformResult, type Transformer } from './transform/transformer.js';
export { UsernameIndex, UsernameSet } from './engine/username-index.js';
export {
  compile,
  type Batch,
  type FileSource,
  type FileSources,
  type UnchangedCheck,
  type UnchangedVerdict,
  type UsernameClaims,
} from './transform/batch.js';
export type { DesiredFields, RecordOutcome, RecordStatus } from './transform/record-outcome.js';
export {
  canonicalJson,
  DESIRED_STATE_VERSION,
  desiredStateDigest,
  desiredStateParts,
  rawRecordJson,
  type DesiredStateParts,
} from './transform/desired-state.js';
export { createParallelBatch, type ParallelOptions } from './engine/parallel/parallel-batch.js';
export { readRecords } from './readers/read-records.js';
export { validateOneRosterBundle } from './readers/oneroster/oneroster-bundle.js';
export type { ByteSource } from './readers/decode.js';
export { ControlFileEngineError, ReaderError, type EngineErrorCode, type ReaderErrorLocation } from './errors.js';
// Test data: Haplo's worked example (reference §2.11), one copy for every workspace's tests.
export { WORKED_EXAMPLE_CONTROL, WORKED_EXAMPLE_PEOPLE, WORKED_EXAMPLE_RECORDS } from './fixtures/worked-example.js';
export { mergeOneRosterDelta, DeltaMergeError, type DeltaMergeSummary } from './readers/oneroster/delta-merge.js';
