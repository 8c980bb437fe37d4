import { describe, expect, it } from 'vitest';
import { dueWeek, runningWeek, sendInstant, shiftWeek, weekSpan } from './digest-week.ts';

const FRIDAY_15 = { day: 5, minute: 15 * 60 };
const HKI = 'Europe/Helsinki';

describe('digest weeks in the school time zone', () => {
  it('puts the send time at the local clock, in winter and in summer time', () => {
    expect(sendInstant('2026-W49', HKI, FRIDAY_15).toISOString()).toBe('2026-12-04T13:00:00.000Z');
    expect(sendInstant('2026-W27', HKI, FRIDAY_15).toISOString()).toBe('2026-07-03T12:00:00.000Z');
    expect(sendInstant('2026-W49', 'America/New_York', FRIDAY_15).toISOString()).toBe('2026-12-04T20:00:00.000Z');
  });

  it('runs a week up to its send time; then it is due and the next one runs', () => {
    expect(runningWeek(new Date('2026-12-04T12:59:00Z'), HKI, FRIDAY_15)).toBe('2026-W49');
    expect(dueWeek(new Date('2026-12-04T12:59:00Z'), HKI, FRIDAY_15)).toBe('2026-W48');
    expect(runningWeek(new Date('2026-12-04T13:00:00Z'), HKI, FRIDAY_15)).toBe('2026-W50');
    expect(dueWeek(new Date('2026-12-04T13:01:00Z'), HKI, FRIDAY_15)).toBe('2026-W49');
    // Saturday and Sunday belong to the next digest week.
    expect(runningWeek(new Date('2026-12-06T20:00:00Z'), HKI, FRIDAY_15)).toBe('2026-W50');
  });

  it('names ISO weeks across the year end, and covers one send time to the next without gaps', () => {
    expect(shiftWeek('2026-W53', 1)).toBe('2027-W01');
    expect(shiftWeek('2027-W01', -1)).toBe('2026-W53');
    expect(shiftWeek('2025-W52', 1)).toBe('2026-W01');
    const a = weekSpan('2026-W14', HKI, FRIDAY_15);
    const b = weekSpan('2026-W15', HKI, FRIDAY_15);
    expect(a.to).toEqual(b.from);
    // The week that holds the switch to summer time is an hour shorter.
    expect(a.to.getTime() - a.from.getTime()).toBe(7 * 86_400_000 - 3_600_000);
  });
});
