/**
 * The report's targets from the sync configuration. Haplo H7 fixed: an empty or blank email list
 * means no email at all (Haplo tried to email the empty address when only the API was configured).
 */

/** One place a report goes. */
export interface DeliveryTarget {
  channel: 'email' | 'webhook';
  /** Email address or endpoint URL. */
  recipient: string;
  /** Why this target cannot be delivered to (recorded as a failed delivery, never attempted). */
  invalid?: string;
}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** Email targets, trimmed and de-duplicated case-insensitively; list entries may hold commas (Haplo's field). */
export function emailTargets(reportEmails: readonly string[]): DeliveryTarget[] {
  const seen = new Set<string>();
  const out: DeliveryTarget[] = [];
  for (const address of reportEmails.flatMap((e) => e.split(',')).map((e) => e.trim())) {
    if (!address || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(
      EMAIL.test(address)
        ? { channel: 'email', recipient: address }
        : { channel: 'email', recipient: address, invalid: 'not an email address' },
    );
  }
  return out;
}

/** The webhook target, when an endpoint is configured. */
export function webhookTargets(reportEndpoint: string): DeliveryTarget[] {
  const url = reportEndpoint.trim();
  if (!url) return [];
  const ok = URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);
  return [
    ok ? { channel: 'webhook', recipient: url } : { channel: 'webhook', recipient: url, invalid: 'not an http(s) URL' },
  ];
}
