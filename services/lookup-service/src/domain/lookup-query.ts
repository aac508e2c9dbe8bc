/** How admins' lookup input is read: trimmed, lower-cased, and matched as an email when it holds `@`. */
import { ValidationError } from '@usersync/platform';

/** What to search for. */
export interface LookupQuery {
  /** Trimmed and lower-cased (usernames are stored lower-cased; emails compare on lower(email)). */
  text: string;
  /** True when the input contains `@`: matched against emails (and usernames that look like emails). */
  byEmail: boolean;
}

/** Longest accepted input: an email address is at most 320 characters. */
export const MAX_QUERY_LENGTH = 320;

/** Parses lookup input; empty or over-long input is a validation error naming the field. */
export function parseLookupQuery(input: string): LookupQuery {
  const text = input.trim().toLowerCase();
  if (text === '') throw new ValidationError('LOOKUP_QUERY_EMPTY', 'query: enter a username or email address');
  if (text.length > MAX_QUERY_LENGTH) {
    throw new ValidationError('LOOKUP_QUERY_TOO_LONG', `query: at most ${MAX_QUERY_LENGTH} characters`);
  }
  return { text, byEmail: text.includes('@') };
}

/** A username argument (history, error state): trimmed and lower-cased, never empty. */
export function parseUsername(input: string, field = 'username'): string {
  const username = input.trim().toLowerCase();
  if (username === '') throw new ValidationError('LOOKUP_USERNAME_EMPTY', `${field}: a username is required`);
  if (username.length > MAX_QUERY_LENGTH) {
    throw new ValidationError('LOOKUP_USERNAME_TOO_LONG', `${field}: at most ${MAX_QUERY_LENGTH} characters`);
  }
  return username;
}
