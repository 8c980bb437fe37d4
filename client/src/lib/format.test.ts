import { describe, expect, it } from 'vitest';
import { createFormat } from './format.ts';

describe('createFormat', () => {
  // 2026-03-01 23:30 UTC: already 2 March in Helsinki (01:30), still 1 March in New York (18:30).
  const instant = '2026-03-01T23:30:00.000Z';

  it("shows times in the school's time zone, not the browser's", () => {
    expect(createFormat('en-GB', 'Europe/Helsinki').dateTime(instant)).toBe('2 Mar 2026, 01:30');
    expect(createFormat('en-GB', 'America/New_York').dateTime(instant)).toBe('1 Mar 2026, 18:30');
    expect(createFormat('en-GB', 'America/New_York').date(instant)).toBe('1 Mar 2026');
    expect(createFormat('en-GB', 'Asia/Tokyo').date(instant)).toBe('2 Mar 2026');
  });

  it('keeps a calendar date the same day in every zone', () => {
    expect(createFormat('en-GB', 'America/New_York').date('2026-03-01')).toBe('1 Mar 2026');
    expect(createFormat('en-GB', 'Pacific/Kiritimati').date('2026-03-01')).toBe('1 Mar 2026');
  });
});
