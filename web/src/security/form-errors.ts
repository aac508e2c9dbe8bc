/**
 * Form validation results shared by every portal form: each field's messages, gathered in one pass
 * so the admin sees every problem at once, and the summary list (in form order) that the
 * `partials/forms/error-summary` partial renders with a link to each field.
 */

/** Messages per field name (the field's element id is its name). */
export type FieldErrors<F extends string = string> = Partial<Record<F, string[]>>;

/** One line of the error summary: `id` is the element to link to; none for a form-wide message. */
export interface SummaryItem {
  id?: string;
  message: string;
}

/** Adds `message` to `field`'s list. */
export function addError<F extends string>(errors: FieldErrors<F>, field: F, message: string): void {
  (errors[field] ??= []).push(message);
}

/** True when any field has a message. */
export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some((m) => Array.isArray(m) && m.length > 0);
}

/** The summary in the order the fields appear on the page, then form-wide messages. */
export function errorSummary(
  order: readonly string[],
  errors: FieldErrors,
  other: readonly string[] = [],
): SummaryItem[] {
  const items: SummaryItem[] = [];
  for (const id of order) for (const message of errors[id] ?? []) items.push({ id, message });
  // A field the page does not list (should not happen) still reaches the admin, unlinked.
  for (const [id, messages] of Object.entries(errors)) {
    if (!order.includes(id)) for (const message of messages ?? []) items.push({ message: `${id}: ${message}` });
  }
  for (const message of other) items.push({ message });
  return items;
}
