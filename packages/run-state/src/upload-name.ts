/**
 * The names files are uploaded under (Haplo's rule, reference §1.4): one definition for every edge,
 * control-file's, since a control file's `files` keys are those names. Re-exported here under the
 * names the edges use.
 */
export {
  CONTROL_FILE_NAME as CONTROL_NAME,
  FILE_NAME_PATTERN as UPLOAD_NAME,
  isUploadName,
} from '@usersync/control-file';
