-- Issue 8, H24: times are shown in the school's time zone everywhere (app and export), not in the
-- browser's or a hard-coded one. An IANA zone name, checked by the API on input.
alter table schools add column time_zone text not null default 'Europe/Helsinki';
