import { useContext } from 'react';
import { useTranslation } from 'react-i18next';
import { DEFAULT_TIME_ZONE } from '../../../shared/api/common.ts';
import { SessionContext } from '../features/auth/session.ts';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** A file size in the reader's language ("1,5 MB" in Finnish and Swedish). */
export function formatFileSize(bytes: number, lang: string): string {
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${number.format(bytes / 1024)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${number.format(bytes / 1024 / 1024)} MB`;
  return `${number.format(bytes / 1024 / 1024 / 1024)} GB`;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Dates, times and sizes in `lang`, with times in `timeZone` (the school's, as the export shows
 * them) rather than the browser's. A calendar date ("2026-03-01") is the same day in every zone.
 */
export function createFormat(lang: string, timeZone: string) {
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone });
  const calendarDate = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  return {
    date: (iso: string) => (DATE_ONLY.test(iso) ? calendarDate.format(new Date(`${iso}T00:00:00Z`)) : date.format(new Date(iso))),
    dateTime: (iso: string) => dateTime.format(new Date(iso)),
    /** "3 hours ago", "yesterday"; under a minute: "now". */
    relative(iso: string, now = Date.now()): string {
      const seconds = (new Date(iso).getTime() - now) / 1000;
      for (const [unit, size] of UNITS) {
        if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
      }
      return relative.format(0, 'second');
    },
    fileSize: (bytes: number) => formatFileSize(bytes, lang),
    percent: (fraction: number) => new Intl.NumberFormat(lang, { style: 'percent' }).format(fraction),
  };
}

/** Dates, times and sizes in the reader's language, times in the school's time zone (from the session). */
export function useFormat() {
  const { i18n } = useTranslation();
  const me = useContext(SessionContext);
  return createFormat(i18n.language, me?.timeZone ?? DEFAULT_TIME_ZONE);
}
