import { describe, expect, it } from 'vitest';
import { readDate } from './foreign-plan.ts';

describe('readDate (Takeout and Seesaw dates, read strictly)', () => {
  it.each([
    ['2023-09-14T10:22:00+03:00', '2023-09-14T07:22:00.000Z'],
    ['2023-09-14T10:22:00+0300', '2023-09-14T07:22:00.000Z'],
    // No zone: UTC, whatever the server's own zone is.
    ['2023-09-14T10:22:00', '2023-09-14T10:22:00.000Z'],
    ['2023-09-14 10:22', '2023-09-14T10:22:00.000Z'],
    ['2023-09-14', '2023-09-14T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2023-10-02T08:15:00.000Z', '2023-10-02T08:15:00.000Z'],
    // Takeout's Unix seconds.
    ['1696929300', '2023-10-10T09:15:00.000Z'],
  ])('%s is %s', (value, iso) => {
    expect(readDate(value)).toEqual({ date: new Date(iso), problem: null });
  });

  it.each([
    '2023-02-29',
    '2023-11-31T09:00:00Z',
    '2023-09-14T24:00:00Z',
    '31.10.2023',
    '10/31/2023',
    'Sep 14, 2023',
    '1696929300000',
    '1899-01-01',
    '2150-01-01',
    'x'.repeat(10_000),
  ])('%s is reported, not guessed', (value) => {
    const reading = readDate(value);
    expect(reading.date).toBeNull();
    expect(reading.problem).toEqual({ value: value.slice(0, 64) });
  });

  it('a missing date is its own problem', () => {
    expect(readDate(undefined)).toEqual({ date: null, problem: 'missing' });
    expect(readDate('')).toEqual({ date: null, problem: 'missing' });
  });
});
