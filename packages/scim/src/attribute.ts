/**
 * SCIM attribute definitions (RFC 7643 §2.2 and §7): the characteristics every attribute has, with the
 * RFC's defaults, and a small builder so the schemas read like the RFC's tables.
 */

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute, as `/Schemas` describes it. */
export interface Attribute {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: Attribute[];
}

type Options = Partial<Omit<Attribute, 'name' | 'type' | 'description'>>;

/** An attribute with the RFC 7643 §2.2 defaults for everything not given. */
export function attr(name: string, type: AttributeType, description: string, options: Options = {}): Attribute {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

/** A complex attribute with its sub-attributes. */
export function complex(name: string, description: string, subAttributes: Attribute[], options: Options = {}) {
  return attr(name, 'complex', description, { ...options, subAttributes });
}

/**
 * The usual sub-attributes of a multi-valued attribute (RFC 7643 §2.4): value, display, type, primary,
 * with the `type` canonical values given.
 */
export function multiValued(name: string, description: string, types: string[], options: Options = {}): Attribute {
  return complex(
    name,
    description,
    [
      attr('value', 'string', `The value of ${name}.`),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attr(
        'type',
        'string',
        "A label indicating the attribute's function.",
        types.length ? { canonicalValues: types } : {},
      ),
      attr('primary', 'boolean', 'Indicates the primary or preferred value; at most one may be true.'),
    ],
    { multiValued: true, ...options },
  );
}

/** Finds an attribute by name, case-insensitively (RFC 7643 §2.1: attribute names are case-insensitive). */
export function findAttribute(attributes: readonly Attribute[], name: string): Attribute | undefined {
  const wanted = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === wanted);
}
