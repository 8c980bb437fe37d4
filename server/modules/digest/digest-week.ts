/**
 * Weeks in a school's time zone. A digest week W runs from the send time of week W-1 to the send time of
 * week W (e.g. Friday 15:00 to Friday 15:00, local), so that nothing falls between two digests, and its
 * name is the ISO week (2026-W49) of its end.
 */
export interface SendTime {
  /** ISO weekday: 1 Monday … 7 Sunday. */
  day: number;
  /** Minutes after local midnight. */
  minute: number;
}

const DAY_MS = 86_400_000;

/** The calendar date and clock of `at` in `timeZone`, as if it were UTC (for plain date arithmetic). */
function localWallClock(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

/** The instant whose local wall clock in `timeZone` is `wall` (twice corrected, for DST). */
function instantOf(wall: number, timeZone: string): Date {
  let guess = wall;
  for (let i = 0; i < 2; i++) guess += wall - localWallClock(new Date(guess), timeZone);
  return new Date(guess);
}

/** ISO week name of a wall-clock date (as UTC milliseconds). */
function isoWeekOf(wall: number): string {
  const d = new Date(wall);
  const day = d.getUTCDay() || 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - day));
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Wall-clock midnight of the Monday of ISO week `week`. */
function mondayOf(week: string): number {
  const year = Number(week.slice(0, 4));
  const n = Number(week.slice(6));
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Day = new Date(jan4).getUTCDay() || 7;
  return jan4 - (jan4Day - 1) * DAY_MS + (n - 1) * 7 * DAY_MS;
}

/** When week `week`'s digest is due: its send day and time, local. */
export function sendInstant(week: string, timeZone: string, send: SendTime): Date {
  return instantOf(mondayOf(week) + (send.day - 1) * DAY_MS + send.minute * 60_000, timeZone);
}

export function shiftWeek(week: string, by: number): string {
  return isoWeekOf(mondayOf(week) + by * 7 * DAY_MS);
}

/** The digest week running at `at`: the one whose send time is the first after `at`. */
export function runningWeek(at: Date, timeZone: string, send: SendTime): string {
  const week = isoWeekOf(localWallClock(at, timeZone));
  return at.getTime() < sendInstant(week, timeZone, send).getTime() ? week : shiftWeek(week, 1);
}

/** The latest week whose digest is due at `at` (its send time has passed). */
export function dueWeek(at: Date, timeZone: string, send: SendTime): string {
  return shiftWeek(runningWeek(at, timeZone, send), -1);
}

/** The span a week's digest covers: from the send time of the week before to its own. */
export function weekSpan(week: string, timeZone: string, send: SendTime): { from: Date; to: Date } {
  return { from: sendInstant(shiftWeek(week, -1), timeZone, send), to: sendInstant(week, timeZone, send) };
}
