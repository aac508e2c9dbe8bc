/** The names files are uploaded under (Haplo's rule, reference §1.4): one definition for every edge. */

/** Haplo's name rule for upload names. */
export const UPLOAD_NAME = /^[A-Za-z0-9_-]+$/;
/** The upload name of a run's control file. */
export const CONTROL_NAME = '_control';

/** True when `name` is a valid upload name (and, when given, at most `maxLength` characters). */
export function isUploadName(name: string, maxLength = Infinity): boolean {
  return name.length <= maxLength && UPLOAD_NAME.test(name);
}
