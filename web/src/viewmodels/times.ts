/**
 * Every date the portal shows, in one place: `3 Dec 2026, 14:05 UTC` in the portal's zone
 * (PORTAL_TIME_ZONE), always with the zone named, so an admin in another office never guesses.
 * Templates put it in `<time datetime="ISO">`; web/public/app.js then rewrites the text in the
 * browser's own zone with the same shape (progressive enhancement: without JS the server's zone stays).
 */

/** The machine's zone, the default of PORTAL_TIME_ZONE. */
export const machineTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The canonical name of an IANA zone, or undefined when Intl does not know it. */
export function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export interface TimeFormat {
  /** The zone dates are shown in. */
  readonly zone: string;
  /** `3 Dec 2026, 14:05 UTC`, or an em dash for no date. */
  date(d: Date | null | undefined): string;
  /** `3 Dec 2026, 14:05:09 UTC`: for figures that change by the second (progress). */
  dateSeconds(d: Date | null | undefined): string;
  /** `3 Dec`: a day label (chart axes), from a YYYY-MM-DD calendar day. */
  day(isoDay: string): string;
  /** ISO 8601 for `<time datetime>`; empty for no date. */
  iso(d: Date | null | undefined): string;
  /** `5 min ago`, `3 h ago`, `2 days ago` from `now`. */
  ago(d: Date | null | undefined, now?: Date): string;
  /** `45 s`, `12 min`, `1 h 20 min`: a duration in seconds. */
  duration(seconds: number): string;
}

/** Formats for one zone (built once per process: Intl formatters are costly to create). */
export function createTimeFormat(zone: string): TimeFormat {
  const parts = (seconds: boolean) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: seconds ? '2-digit' : undefined,
      hourCycle: 'h23',
    });
  // en-US names the zones people say aloud (PST, EST) and falls back to GMT+1 elsewhere; UTC stays UTC.
  const zoneName = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
  const minutes = parts(false);
  const withSeconds = parts(true);
  const dayLabel = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

  function format(f: Intl.DateTimeFormat, d: Date): string {
    const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
    const tz = zoneName.formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? zone;
    const time = p.second ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
    return `${p.day} ${p.month} ${p.year}, ${time} ${tz}`;
  }

  return {
    zone,
    date: (d) => (d ? format(minutes, d) : '—'),
    dateSeconds: (d) => (d ? format(withSeconds, d) : '—'),
    day: (isoDay) => dayLabel.format(new Date(`${isoDay}T12:00:00Z`)),
    iso: (d) => (d ? d.toISOString() : ''),
    ago(d, now = new Date()) {
      if (!d) return 'never';
      const s = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
      if (s < 60) return 'just now';
      if (s < 3600) return `${Math.floor(s / 60)} min ago`;
      if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ago`;
      return `${Math.floor(s / 86400)} days ago`;
    },
    duration(seconds) {
      const s = Math.round(seconds);
      if (s < 60) return `${s} s`;
      const m = Math.round(s / 60);
      if (m < 60) return `${m} min`;
      return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
    },
  };
}
