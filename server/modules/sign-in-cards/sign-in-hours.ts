/** Minutes since midnight of `at` in the time zone `timeZone`. */
export function minuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/** Whether cards work at `at`: no hours set, or the school's clock is within [start, end). */
export function withinHours(at: Date, timeZone: string, start: number | null, end: number | null): boolean {
  if (start === null || end === null) return true;
  const minute = minuteOfDay(at, timeZone);
  return minute >= start && minute < end;
}

export const clockToMinutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
export const minutesToClock = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
