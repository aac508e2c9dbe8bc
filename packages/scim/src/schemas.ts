/**
 * The schemas usersync serves (RFC 7643 §4 and §8.7.1): core User, the Enterprise User extension and
 * Group. They drive discovery (`/Schemas`), attribute-name canonicalisation (names are
 * case-insensitive), value coercion, filtering rules (caseExact) and projection (returned).
 */
import { attr, complex, multiValued, type Attribute } from './attribute.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A schema as `/Schemas/{id}` returns it (without its meta, added by the server). */
export interface Schema {
  id: string;
  name: string;
  description: string;
  attributes: Attribute[];
}

/** The attributes every resource has (RFC 7643 §3.1); not part of any schema's attribute list. */
export const COMMON_ATTRIBUTES: Attribute[] = [
  attr('id', 'string', 'Unique identifier for the resource, assigned by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', 'An identifier for the resource as defined by the provisioning client.', {
    caseExact: true,
  }),
  complex(
    'meta',
    'Resource metadata.',
    [
      attr('resourceType', 'string', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr('created', 'dateTime', 'The date and time the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      attr('lastModified', 'dateTime', 'The most recent date and time the resource was modified.', {
        mutability: 'readOnly',
      }),
      attr('location', 'reference', 'The URI of the resource being returned.', {
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attr('version', 'string', 'The version (entity tag) of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
    { mutability: 'readOnly' },
  ),
];

const name = complex('name', "The components of the user's real name.", [
  attr('formatted', 'string', 'The full name, formatted for display.'),
  attr('familyName', 'string', 'The family name of the User, or last name.'),
  attr('givenName', 'string', 'The given name of the User, or first name.'),
  attr('middleName', 'string', 'The middle name(s) of the User.'),
  attr('honorificPrefix', 'string', 'The honorific prefix(es) of the User, or title.'),
  attr('honorificSuffix', 'string', 'The honorific suffix(es) of the User, or suffix.'),
]);

const address = complex(
  'addresses',
  'A physical mailing address for this User.',
  [
    attr('formatted', 'string', 'The full mailing address, formatted for display.'),
    attr('streetAddress', 'string', 'The full street address component.'),
    attr('locality', 'string', 'The city or locality component.'),
    attr('region', 'string', 'The state or region component.'),
    attr('postalCode', 'string', 'The zip code or postal code component.'),
    attr('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
    attr('type', 'string', "A label indicating the attribute's function.", {
      canonicalValues: ['work', 'home', 'other'],
    }),
    attr('primary', 'boolean', 'Indicates the primary or preferred address.'),
  ],
  { multiValued: true },
);

const groupsOfUser = complex(
  'groups',
  'A list of groups to which the user belongs, through direct membership or nested groups.',
  [
    attr('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
    attr('$ref', 'reference', 'The URI of the corresponding Group resource.', {
      mutability: 'readOnly',
      referenceTypes: ['Group'],
    }),
    attr('display', 'string', 'A human-readable name.', { mutability: 'readOnly' }),
    attr('type', 'string', 'How the membership was derived.', {
      mutability: 'readOnly',
      canonicalValues: ['direct', 'indirect'],
    }),
  ],
  { multiValued: true, mutability: 'readOnly' },
);

export const USER: Schema = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', 'Unique identifier for the User, used to sign in.', {
      required: true,
      uniqueness: 'server',
    }),
    name,
    attr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', 'string', 'The casual way to address the user.'),
    attr('profileUrl', 'reference', "A fully qualified URL pointing to the User's online profile.", {
      referenceTypes: ['external'],
    }),
    attr('title', 'string', 'The user\'s title, such as "Vice President".'),
    attr('userType', 'string', 'The relationship between the organization and the user.'),
    attr('preferredLanguage', 'string', "The User's preferred written or spoken language."),
    attr('locale', 'string', "The User's default location for localization."),
    attr('timezone', 'string', "The User's time zone in the 'Olson' time zone database format."),
    attr('active', 'boolean', "The User's administrative status."),
    attr('password', 'string', "The User's cleartext password; never returned.", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValued('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValued('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValued('ims', 'Instant messaging addresses for the User.', []),
    multiValued('photos', 'URLs of photos of the User.', ['photo', 'thumbnail']),
    address,
    groupsOfUser,
    multiValued('entitlements', 'A list of entitlements for the User.', []),
    multiValued('roles', 'A list of roles for the User.', []),
    multiValued('x509Certificates', 'A list of certificates issued to the User.', []),
  ],
};

export const ENTERPRISE_USER: Schema = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person.'),
    attr('costCenter', 'string', 'Identifies the name of a cost center.'),
    attr('organization', 'string', 'Identifies the name of an organization.'),
    attr('division', 'string', 'Identifies the name of a division.'),
    attr('department', 'string', 'Identifies the name of a department.'),
    complex('manager', "The User's manager.", [
      attr('value', 'string', "The id of the SCIM resource representing the User's manager."),
      attr('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.", {
        referenceTypes: ['User'],
      }),
      attr('displayName', 'string', "The displayName of the User's manager.", { mutability: 'readOnly' }),
    ]),
  ],
};

export const GROUP: Schema = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', 'A human-readable name for the Group.', { required: true }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attr('$ref', 'reference', 'The URI of the member resource.', {
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        }),
        attr('display', 'string', 'A human-readable name of the member.', { mutability: 'readOnly' }),
        attr('type', 'string', 'The type of the member.', {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
      { multiValued: true },
    ),
  ],
};

export const SCHEMAS: readonly Schema[] = [USER, ENTERPRISE_USER, GROUP];
