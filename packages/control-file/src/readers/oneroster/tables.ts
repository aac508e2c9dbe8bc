/**
 * The OneRoster 1.2 CSV files usersync reads (1EdTech OneRoster CSV Binding 1.2.1 §3): their columns in
 * the specification's order, which must not be blank, and the rules for their values. `status` and
 * `dateLastModified` are blank in bulk files and required in delta files.
 */

export type ProcessingMode = 'bulk' | 'delta' | 'absent';
export type ValueRule = 'text' | 'guid' | 'boolean' | 'date' | 'datetime' | 'status' | { oneOf: readonly string[] };

export interface ColumnSpec {
  name: string;
  required: boolean;
  rule: ValueRule;
}

const col = (name: string, required: boolean, rule: ValueRule = 'text'): ColumnSpec => ({ name, required, rule });
const common = [
  col('sourcedId', true, 'guid'),
  col('status', false, 'status'),
  col('dateLastModified', false, 'datetime'),
];

export const ROLE_VALUES = [
  'aide',
  'counselor',
  'districtAdministrator',
  'guardian',
  'parent',
  'principal',
  'proctor',
  'relative',
  'siteAdministrator',
  'student',
  'systemAdministrator',
  'teacher',
] as const;
export const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national'] as const;

export const TABLES = {
  'users.csv': [
    ...common,
    col('enabledUser', true, 'boolean'),
    col('username', true),
    col('userIds', false),
    col('givenName', true),
    col('familyName', true),
    col('middleName', false),
    col('identifier', false),
    col('email', false),
    col('sms', false),
    col('phone', false),
    col('agentSourcedIds', false),
    col('grades', false),
    col('password', false),
    col('userMasterIdentifier', false),
    col('resourceSourcedIds', false),
    col('preferredGivenName', false),
    col('preferredMiddleName', false),
    col('preferredFamilyName', false),
    col('primaryOrgSourcedId', false, 'guid'),
    col('pronouns', false),
  ],
  'roles.csv': [
    ...common,
    col('userSourcedId', true, 'guid'),
    col('roleType', true, { oneOf: ['primary', 'secondary'] }),
    col('role', true, { oneOf: ROLE_VALUES }),
    col('beginDate', false, 'date'),
    col('endDate', false, 'date'),
    col('orgSourcedId', true, 'guid'),
    col('userProfileSourcedId', false, 'guid'),
  ],
  'orgs.csv': [
    ...common,
    col('name', true),
    col('type', true, { oneOf: ORG_TYPES }),
    col('identifier', false),
    col('parentSourcedId', false, 'guid'),
  ],
} as const satisfies Record<string, readonly ColumnSpec[]>;

export type TableName = keyof typeof TABLES;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** What is wrong with `value` under `rule`, or undefined. */
export function valueProblem(rule: ValueRule, value: string): string | undefined {
  if (typeof rule === 'object')
    return rule.oneOf.includes(value)
      ? undefined
      : `must be one of ${rule.oneOf.join(', ')}, not ${JSON.stringify(value)}`;
  switch (rule) {
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : `must be true or false, not ${JSON.stringify(value)}`;
    case 'status':
      return value === 'active' || value === 'tobedeleted'
        ? undefined
        : `must be active or tobedeleted, not ${JSON.stringify(value)}`;
    case 'date':
      return DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `must be a date (YYYY-MM-DD), not ${JSON.stringify(value)}`;
    case 'datetime':
      return DATETIME.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `must be an ISO 8601 date-time (2026-09-01T08:00:00.000Z), not ${JSON.stringify(value)}`;
    case 'guid':
      return /^\S+$/.test(value) ? undefined : `must be an identifier without spaces, not ${JSON.stringify(value)}`;
    default:
      return undefined;
  }
}
