/** Required properties of every action (reference §2.3), checked before anything else about an instruction. */
export const ACTION_REQUIRED_PROPS: Readonly<Record<string, readonly string[]>> = {
  field: ['source', 'destination', 'name'],
  'field-structured': ['structured', 'destination', 'name'],
  'set-attribute-group': ['source', 'destination', 'name'],
  'set-value': ['destination', 'name', 'value'],
  'remove-values': ['destination', 'name'],
  'if-exists': ['source'],
  'if-value-one-of': ['source'],
  'if-has-value': ['destination', 'name'],
  within: ['source'],
  'for-each': ['source'],
  new: ['destination'],
  load: ['destination', 'using'],
  'assert-destination': ['destination', 'exists'],
  'abort-record': ['message'],
  'log-error': ['message'],
};

/** Properties that hold nested instruction lists, per action. */
export const NESTED_LISTS: Readonly<Record<string, readonly string[]>> = {
  'if-exists': ['then', 'else'],
  'if-value-one-of': ['then', 'else'],
  'if-has-value': ['then', 'else'],
  within: ['instructions'],
  'for-each': ['instructions'],
  load: ['otherwise'],
};

/** Writes that Haplo's for-each rule applies to. */
export const ASSIGNING_ACTIONS = new Set(['field', 'field-structured', 'set-value']);

export const FOR_EACH_MESSAGE =
  'Assigning values within for-each without a new/load statement or setting multivalue property will result in overwritten data';
