-- Issue 11 §2: roster import (OneRoster 1.2 CSV, Microsoft SDS v2.1 CSV). Users' stable roster ids live in
-- roster_keys (0026); here: the groups a roster made, birth dates, and the imports themselves.

-- A group made or adopted by a roster keeps the class's source id, so that next year's roster finds it again.
alter table groups add column roster_source_id text check (length(roster_source_id) between 1 and 255);
create unique index groups_roster_source_key on groups (school_id, roster_source_id) where roster_source_id is not null;

-- From the roster where it gives one: guardian access ends when the pupil turns 18 (issue 11 §4).
alter table users add column birth_date date;

-- One uploaded roster: its parsed content and preview until applied, then its report. Kept for a while.
create table roster_imports (
  id uuid primary key,
  school_id uuid not null references schools (id) on delete cascade,
  requested_by uuid references users (id) on delete set null,
  status text not null check (status in ('ready', 'running', 'done', 'failed')),
  format text not null check (format in ('oneroster', 'sds')),
  file_name text not null check (length(file_name) between 1 and 255),
  -- The parsed roster (normalised), dropped once applied.
  roster jsonb,
  preview jsonb not null,
  progress jsonb,
  report jsonb,
  error jsonb,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  expires_at timestamptz not null
);
create index roster_imports_school_idx on roster_imports (school_id, created_at desc);
-- One roster applied at a time per school: two at once would each deactivate what the other adds.
create unique index roster_imports_one_running on roster_imports (school_id) where status = 'running';
