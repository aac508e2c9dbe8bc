import { commonV1 } from '@usersync/contracts';

/** Why a ready run waits for an admin instead of applying (DESIGN §3, §6 step 3). */
export const HOLD_REASONS = [
  'auto_apply_off',
  'first_run',
  'files_too_different',
  'block_threshold',
  'empty_source',
  'control_file_changed',
  'no_username_rule',
  'partial_remainder',
  'undo',
  'block_window',
  'group_removals',
  'reused_username',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** What an admin reads on the run page and in the report. */
export const HOLD_REASON_TEXT: Readonly<Record<HoldReason, string>> = {
  auto_apply_off: 'Automatic apply is turned off: this run must be applied by hand.',
  first_run: 'This is the first sync run: check it and apply it by hand.',
  files_too_different: 'The files uploaded are too different to the last applied run: check them and apply by hand.',
  block_threshold: 'This run would block more users than the configured limit.',
  empty_source: 'The files contain no user records, but users are in the feed: applying would block them all.',
  control_file_changed: 'The control file changed since the last applied run.',
  no_username_rule:
    'The control file has no top-level rule for destination:user, name:username, so no record can be matched to a user.',
  partial_remainder:
    'This is the rest of a run an admin applied in part: check what was kept back, then apply it or cancel it.',
  undo: 'This run undoes an earlier run: check what it restores, then apply it or cancel it.',
  block_window:
    'This run, with the blocks already applied recently, would block more users than the configured limit over time.',
  group_removals: 'This run would remove more members from a group than the configured limit.',
  reused_username:
    'A blocked user came back with a different stable key: the username now belongs to another person, who must not get the old account.',
};

const TO_PROTO: Record<HoldReason, commonV1.HoldReason> = {
  auto_apply_off: commonV1.HoldReason.HOLD_REASON_AUTO_APPLY_OFF,
  first_run: commonV1.HoldReason.HOLD_REASON_FIRST_RUN,
  files_too_different: commonV1.HoldReason.HOLD_REASON_FILES_TOO_DIFFERENT,
  block_threshold: commonV1.HoldReason.HOLD_REASON_BLOCK_THRESHOLD,
  empty_source: commonV1.HoldReason.HOLD_REASON_EMPTY_SOURCE,
  control_file_changed: commonV1.HoldReason.HOLD_REASON_CONTROL_FILE_CHANGED,
  no_username_rule: commonV1.HoldReason.HOLD_REASON_NO_USERNAME_RULE,
  partial_remainder: commonV1.HoldReason.HOLD_REASON_PARTIAL_REMAINDER,
  undo: commonV1.HoldReason.HOLD_REASON_UNDO,
  block_window: commonV1.HoldReason.HOLD_REASON_BLOCK_WINDOW,
  group_removals: commonV1.HoldReason.HOLD_REASON_GROUP_REMOVALS,
  reused_username: commonV1.HoldReason.HOLD_REASON_REUSED_USERNAME,
};

export const holdReasonToProto = (reason: HoldReason | null): commonV1.HoldReason =>
  reason ? TO_PROTO[reason] : commonV1.HoldReason.HOLD_REASON_UNSPECIFIED;

/** The hold reason of a proto value; null for UNSPECIFIED (not held) or a value this build does not know. */
export function holdReasonFromProto(value: commonV1.HoldReason | undefined): HoldReason | null {
  return HOLD_REASONS.find((r) => TO_PROTO[r] === value) ?? null;
}
