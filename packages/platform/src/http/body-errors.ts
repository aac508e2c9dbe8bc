/**
 * Errors a body parser throws for a malformed body (busboy's plain `Error`s and fastify's parser
 * refusals without a status), told apart from real failures so an edge can answer 400 instead of 500.
 */
const BUSBOY_MESSAGES: Array<[RegExp, string]> = [
  [
    /unexpected end of (multipart data|form)|terminated early/i,
    'the form data ends before its closing boundary (cut short?)',
  ],
  [/boundary (not found|required)/i, 'multipart/form-data needs a boundary parameter in Content-Type'],
  [/malformed (part header|urlencoded)/i, 'a part header is malformed'],
];

/** A sentence for the client when `err` is a malformed-body error, else undefined. */
export function malformedBodyMessage(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (typeof (err as { statusCode?: unknown }).statusCode === 'number') return undefined;
  if ('kind' in err) return undefined; // an AppError keeps its own kind
  for (const [pattern, what] of BUSBOY_MESSAGES) {
    if (pattern.test(err.message)) return `The form could not be read: ${what}. Reload the page and try again.`;
  }
  return undefined;
}
