/**
 * The configuration form's fields and their mapping to and from the proto SyncConfig. The fields are
 * data ({@link CONFIG_FIELDS}): adding a setting is one entry here plus its line in configToForm and
 * formToConfig. Managed groups and profile attributes are edited as lines; a message about the n-th
 * group or attribute names the form line it came from.
 */
import type { runsV1 } from '@usersync/contracts';
import type { ValidationError } from '@usersync/platform';
import { syncConfigErrors } from '@usersync/run-state';
import type { FieldErrors } from '../security/form-errors.js';
import { GUARD_FIELDS, guardFieldSpecs, guardsToForm, type GuardField } from './config-guards.js';
import { recycleFieldSpecs, recycleFromForm, recycleToForm } from './config-recycle.js';

/**
 * The form as posted (and as re-shown after an error), derived from the proto SyncConfig (run-state
 * owns its meaning): switches stay booleans, everything else is edited as text. Profile attributes are
 * one a line, `code | Label | type`, with `| multivalue` for several values; empty = default schema.
 */
export type ConfigForm = {
  [K in keyof runsV1.SyncConfig]-?: runsV1.SyncConfig[K] extends boolean ? boolean : string;
};

type ConfigErrors = FieldErrors<keyof ConfigForm>;

export const str = (v: unknown, max = 10_000): string => (typeof v === 'string' ? v.slice(0, max) : '');
export const checked = (v: unknown): boolean => v === 'on' || v === 'true' || v === '1';

/** The stored configuration as form values. */
export function configToForm(c: runsV1.SyncConfig): ConfigForm {
  return {
    autoApply: c.autoApply,
    updateAll: c.updateAll,
    reportEmails: c.reportEmails.join(', '),
    reportEndpoint: c.reportEndpoint,
    maxBlockPercent: c.maxBlockPercent === undefined ? '' : String(c.maxBlockPercent),
    maxBlockCount: c.maxBlockCount === undefined ? '' : String(c.maxBlockCount),
    supersedeHeldRuns: c.supersedeHeldRuns,
    blockInvalidRecords: c.blockInvalidRecords,
    managedGroups: c.managedGroups.map((g) => `${g.code}: ${g.name}`).join('\n'),
    profileAttributes: c.profileAttributes
      .map((a) => [a.code, a.label, a.type, ...(a.multivalue ? ['multivalue'] : [])].join(' | '))
      .join('\n'),
    ...guardsToForm(c),
    ...recycleToForm(c),
  };
}

/** For each group or attribute the form produced, the form line (1-based) it was written on. */
export interface FormLines {
  managedGroups: number[];
  profileAttributes: number[];
}

const ATTRIBUTE_FORMAT = 'write the attribute as "code | Label | type", with "| multivalue" for several values.';

/** Parses the form; what cannot even be read (not a number, a group line without a name) is a field error here. */
export function formToConfig(f: ConfigForm): { config: runsV1.SyncConfig; errors: ConfigErrors; lines: FormLines } {
  const errors: ConfigErrors = {};
  const fail = (field: keyof ConfigForm, message: string) => (errors[field] ??= []).push(message);
  const number = (field: 'maxBlockPercent' | 'maxBlockCount' | GuardField, label: string): number | undefined => {
    const raw = f[field].trim();
    if (raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n)) fail(field, `${label} must be a number, or empty for no limit.`);
    return n;
  };
  const maxBlockPercent = number('maxBlockPercent', 'Maximum block percentage');
  const maxBlockCount = number('maxBlockCount', 'Maximum block count');
  const guards = Object.fromEntries(
    GUARD_FIELDS.map((k) => {
      const n = number(k, CONFIG_FIELDS.find((f) => f.name === k)?.short ?? k);
      return [k, Number.isFinite(n) ? n : undefined];
    }),
  ) as Record<GuardField, number | undefined>;
  const recycle = recycleFromForm(f, fail);
  const lines: FormLines = { managedGroups: [], profileAttributes: [] };
  const managedGroups: runsV1.ManagedGroup[] = [];
  f.managedGroups.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf(':');
    if (at < 0) return fail('managedGroups', `Line ${i + 1}: write the group as "code: Name".`);
    managedGroups.push({ code: line.slice(0, at).trim(), name: line.slice(at + 1).trim() });
    lines.managedGroups.push(i + 1);
  });
  const profileAttributes: runsV1.ProfileAttributeDefinition[] = [];
  f.profileAttributes.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const [code = '', label = '', type = '', flag, ...rest] = line.split('|').map((part) => part.trim());
    if (type === '' || rest.length > 0 || (flag !== undefined && flag !== 'multivalue' && flag !== '')) {
      return fail('profileAttributes', `Line ${i + 1}: ${ATTRIBUTE_FORMAT}`);
    }
    profileAttributes.push({ code, label, type, multivalue: flag === 'multivalue' });
    lines.profileAttributes.push(i + 1);
  });
  return {
    errors,
    lines,
    config: {
      autoApply: f.autoApply,
      updateAll: f.updateAll,
      reportEmails: f.reportEmails
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== ''),
      reportEndpoint: f.reportEndpoint.trim(),
      maxBlockPercent: Number.isFinite(maxBlockPercent) ? maxBlockPercent : undefined,
      maxBlockCount: Number.isFinite(maxBlockCount) ? maxBlockCount : undefined,
      supersedeHeldRuns: f.supersedeHeldRuns,
      blockInvalidRecords: f.blockInvalidRecords,
      managedGroups,
      profileAttributes,
      ...guards,
      ...recycle,
    },
  };
}

/** RunService's detail path (report_emails[2], managed_groups[0].code) → the form field it belongs to. */
const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function fieldOfPath(path: string, form: ConfigForm): keyof ConfigForm | undefined {
  const head = /^[a-z_]+/.exec(path)?.[0];
  return (Object.keys(form) as Array<keyof ConfigForm>).find((f) => snake(f) === head);
}

/** Messages with a RunService detail path (report_emails[2], managed_groups[0].code) as field errors. */
export function detailErrors(
  details: ReadonlyArray<{ path?: unknown; message?: unknown }>,
  lines: FormLines,
  form: ConfigForm,
): { fields: ConfigErrors; other: string[] } {
  const fields: ConfigErrors = {};
  const other: string[] = [];
  for (const d of details) {
    const path = String(d.path ?? '');
    let message = String(d.message ?? '');
    const field = fieldOfPath(path, form);
    // managed_groups[2].code → the line the third group was written on.
    const item = /^(managed_groups|profile_attributes)\[(\d+)\]/.exec(path);
    if (item) {
      const line = (item[1] === 'managed_groups' ? lines.managedGroups : lines.profileAttributes)[Number(item[2])];
      if (line !== undefined) message = `Line ${line}: ${message}`;
    }
    if (field) (fields[field] ??= []).push(message);
    else other.push(message);
  }
  return { fields, other };
}

/** RunService's refusal of a save as field errors (a refusal without details is one form-wide message). */
export function serverErrors(err: ValidationError, lines: FormLines, form: ConfigForm) {
  const e = detailErrors(err.details as Array<{ path?: unknown; message?: unknown }>, lines, form);
  if (err.details.length === 0) e.other.push(err.message);
  return e;
}

/**
 * Every problem of the form in one pass: what cannot be read (not a number, a line without its
 * separator) and, for everything that can, run-state's own rules, the ones RunService applies on save.
 */
export function checkConfigForm(form: ConfigForm) {
  const { config, errors, lines } = formToConfig(form);
  const rules = detailErrors(syncConfigErrors(config), lines, form);
  for (const [field, messages] of Object.entries(rules.fields) as Array<[keyof ConfigForm, string[]]>) {
    (errors[field] ??= []).push(...messages);
  }
  return { config, errors, other: rules.other, lines };
}

/** How one setting is edited. `legend` groups fields into fieldsets, in the order listed. */
export interface ConfigFieldSpec {
  name: keyof ConfigForm;
  legend: string;
  label: string;
  hint?: string;
  kind: 'checkbox' | 'text' | 'textarea' | 'select';
  /** A select's choices, [value, text]. */
  options?: Array<[string, string]>;
  /** Extra attributes of the input. */
  attrs?: Record<string, string>;
  type?: string;
  inputmode?: string;
  rows?: number;
  /** A hint shown as a warning (the setting is costly or risky). */
  warning?: boolean;
  /** The setting's name in a message ("… must be a number"), when the label is a sentence. */
  short?: string;
}

/** The form, field by field, in page order. */
export const CONFIG_FIELDS: readonly ConfigFieldSpec[] = [
  {
    name: 'autoApply',
    legend: 'Applying sync runs',
    kind: 'checkbox',
    label: 'Automatically apply uploaded sync files',
    hint: 'When off, every run waits on its run page for an admin to apply it.',
  },
  {
    name: 'updateAll',
    legend: 'Applying sync runs',
    kind: 'checkbox',
    warning: true,
    label: 'Force update of all records',
    hint: 'Every user is rewritten on every sync, even when nothing changed. This makes syncs much slower; turn it off again once the records are corrected.',
  },
  {
    name: 'supersedeHeldRuns',
    legend: 'Applying sync runs',
    kind: 'checkbox',
    label: 'A new upload supersedes a held run',
    hint: 'The held run is cancelled ("superseded by run N"), so the next day\'s upload never fails on a run nobody applied.',
  },
  {
    name: 'blockInvalidRecords',
    legend: 'Applying sync runs',
    kind: 'checkbox',
    label: 'Block users whose record is invalid',
    hint: "Haplo's old behaviour: a user whose record fails validation is blocked until the record is fixed. When off (recommended), the user is left exactly as they were and the error is logged.",
  },
  {
    name: 'maxBlockPercent',
    legend: 'Safety limits',
    kind: 'text',
    inputmode: 'decimal',
    label: 'Hold when blocking more than this percentage of users in the feed',
    hint: 'Between 0 and 100; default 10. Empty for no limit.',
  },
  {
    name: 'maxBlockCount',
    legend: 'Safety limits',
    kind: 'text',
    inputmode: 'numeric',
    label: 'Hold when blocking more than this number of users',
    hint: 'A whole number; default 500. Empty for no limit.',
  },
  ...guardFieldSpecs(),
  ...recycleFieldSpecs(),
  {
    name: 'reportEmails',
    legend: 'Reports',
    kind: 'text',
    label: 'Emails to receive sync reports',
    hint: 'Comma-separated. When empty, reports are not emailed.',
  },
  {
    name: 'reportEndpoint',
    legend: 'Reports',
    kind: 'text',
    type: 'url',
    label: 'Report endpoint URL',
    hint: 'An http:// or https:// URL that receives each report as a signed POST; empty for none.',
  },
  {
    name: 'managedGroups',
    legend: 'Managed groups',
    kind: 'textarea',
    rows: 5,
    label: 'Groups the sync manages, one per line as "code: Name"',
    hint: 'The sync only ever removes memberships it added; manual memberships are never touched.',
  },
  {
    name: 'profileAttributes',
    legend: 'Profile schema',
    kind: 'textarea',
    rows: 8,
    label:
      'Profile attributes control files may fill, one per line as "code | Label | type", with "| multivalue" for several values',
    hint: 'Types: text, code, boolean, datetime, integer, number, email-address, url, telephone-number, person-name, postal-address, json. Leave empty to use the built-in schema (job title, department, phone, mobile, office, employee ID, start and end dates, manager username, postal address, website). Uploaded control files are checked against this schema, so a control file that uses an attribute you remove is refused at upload.',
  },
];

/** Longest accepted text per field (characters). */
const MAX_LENGTH: Partial<Record<keyof ConfigForm, number>> = {
  reportEndpoint: 2000,
  maxBlockPercent: 50,
  maxBlockCount: 50,
  ...Object.fromEntries(GUARD_FIELDS.map((k) => [k, 50])),
  recycleGraceDays: 50,
  recycleAfterGrace: 50,
  recycleStableKey: 200,
  managedGroups: 50_000,
  profileAttributes: 50_000,
};

/** The form as posted (or as kept across an expired session), field by field from CONFIG_FIELDS. */
export function readConfigForm(b: Record<string, unknown>): ConfigForm {
  const form: Record<string, string | boolean> = {};
  for (const f of CONFIG_FIELDS)
    form[f.name] = f.kind === 'checkbox' ? checked(b[f.name]) : str(b[f.name], MAX_LENGTH[f.name]);
  return form as ConfigForm;
}
