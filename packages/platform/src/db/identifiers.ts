/**
 * SQL identifiers that come from code (schema owners), never from users. They are validated and quoted
 * because they are spliced into SQL text: placeholders cannot stand for schema or channel names.
 */

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

/** Throws unless `name` is a plain lowercase SQL identifier (e.g. a schema owner such as 'runs'). */
export function assertIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name))
    throw new Error(`invalid ${what} ${JSON.stringify(name)}: use lowercase letters, digits, _`);
  return name;
}

/** Double-quotes a validated identifier for use in SQL text. */
export function quoteIdent(name: string): string {
  return `"${assertIdentifier(name)}"`;
}
