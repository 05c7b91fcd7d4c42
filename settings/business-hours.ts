import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * A client's business hours: a weekly schedule of opening intervals in local time, holidays (local
 * dates, closed all day), and the timezone they are read in. Handoff clocks (SLA, maximum wait)
 * count only open time, and a handoff outside hours is told when the team is back. The time
 * arithmetic across timezones and DST changes is Luxon's (IANA zones through Intl).
 */

const clock = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time like 09:00 (24:00 ends a day)');
const interval = z
  .strictObject({ from: clock, to: clock })
  .refine((i) => i.from < i.to, 'from must be before to');
const day = z
  .array(interval)
  .max(6)
  .default([])
  .refine(
    (d) =>
      [...d]
        .sort((a, b) => (a.from < b.from ? -1 : 1))
        .every((iv, i, all) => i === 0 || all[i - 1]!.to <= iv.from),
    'intervals of a day must not overlap',
  );
const localDate = z.iso.date();

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Whether Intl (and so Luxon) knows an IANA timezone name. */
export function isTimeZone(name: string): boolean {
  return DateTime.local().setZone(name).isValid;
}

export const timeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, 'must be an IANA timezone like Europe/Lisbon');

export const businessHoursSchema = z.strictObject({
  /** Where the schedule is read; the client's `timezone` when omitted. */
  timezone: timeZoneSchema.optional(),
  weekly: z.strictObject(
    Object.fromEntries(WEEKDAYS.map((d) => [d, day])) as Record<(typeof WEEKDAYS)[number], typeof day>,
  ),
  holidays: z.array(localDate).max(400).default([]),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

type Span = { start: number; end: number };
const SEARCH_DAYS = 400;

/** The opening intervals of one local date, as epoch-ms spans. */
function spansOn(hours: BusinessHours, date: DateTime): Span[] {
  if (hours.holidays.includes(date.toISODate() ?? '')) return [];
  const weekday = WEEKDAYS[date.weekday - 1]!;
  return hours.weekly[weekday].map((iv) => ({
    start: atClock(date, iv.from),
    end: atClock(date, iv.to),
  }));
}

function atClock(date: DateTime, hhmm: string): number {
  if (hhmm === '24:00') return date.startOf('day').plus({ days: 1 }).toMillis();
  const [hour, minute] = hhmm.split(':').map(Number);
  return date.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}

/** The open span containing `at`, or the next one; undefined when the schedule never opens. */
function nextSpan(hours: BusinessHours, zone: string, at: number): Span | undefined {
  let date = DateTime.fromMillis(at, { zone }).startOf('day');
  for (let i = 0; i < SEARCH_DAYS; i++, date = date.plus({ days: 1 })) {
    const span = spansOn(hours, date)
      .filter((s) => s.end > at)
      .sort((a, b) => a.start - b.start)[0];
    if (span) return { start: Math.max(span.start, at), end: span.end };
  }
  return undefined;
}

/** Whether the team is open at `at` (always, without a schedule). */
export function isOpen(hours: BusinessHours | undefined, zone: string, at: number): boolean {
  return !hours || nextSpan(hours, zone, at)?.start === at;
}

/** When the team opens next (`at` itself when open now); undefined when it never does. */
export function nextOpening(hours: BusinessHours | undefined, zone: string, at: number): number | undefined {
  return hours ? nextSpan(hours, zone, at)?.start : at;
}

/**
 * The instant `minutes` of open time after `at`: a 15-minute SLA started at 20:00 with the team
 * back at 09:00 ends at 09:15. Without a schedule (or one that never opens) it is wall-clock time.
 */
export function addBusinessMinutes(
  hours: BusinessHours | undefined,
  zone: string,
  at: number,
  minutes: number,
): number {
  let left = minutes * 60_000;
  let cursor = at;
  for (;;) {
    const span = hours && nextSpan(hours, zone, cursor);
    if (!span) return at + minutes * 60_000;
    if (left <= span.end - span.start) return span.start + left;
    left -= span.end - span.start;
    cursor = span.end;
  }
}
