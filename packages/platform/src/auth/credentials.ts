/**
 * Reading an API key from an Authorization header. Haplo's upload scripts send HTTP Basic with the
 * username `haplo` and the key as password (reference §1.1); newer clients may send `Bearer <key>`.
 */

/**
 * The API key in an `Authorization` header value, or undefined when there is none: `Basic` with
 * any username and the key as password, or `Bearer <key>`. Scheme names are case-insensitive.
 */
export function parseCredentials(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(authorization);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === 'bearer') return value;
  if (scheme !== 'basic') return undefined;
  // Strict base64 only: Buffer.from silently skips invalid characters, which would accept junk.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const password = decoded.slice(colon + 1);
  return password.length > 0 ? password : undefined;
}
