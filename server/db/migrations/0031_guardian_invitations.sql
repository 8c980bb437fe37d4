-- Issue 11 §4–5: guardian invitations, password reset by e-mail, and a pupil's birth date (guardian access
-- ends when the pupil turns 18; a roster import may fill it, nothing requires it). Migration 0030 (rosters)
-- adds the same column: both features need it, and either may come first in a checkout's history.
alter table users add column if not exists birth_date date;

-- One invitation for one pupil at one school: a one-time code whose SHA-256 alone is kept. Re-sending
-- gives it a new code (the old one stops working), as nobody can print a code that is not kept.
create table guardian_invitations (
  id uuid primary key default gen_random_uuid(),
  school_id uuid not null references schools (id) on delete cascade,
  pupil_id uuid not null references users (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  email text check (email is null or length(email) between 3 and 254),
  locale text check (locale is null or locale in ('fi', 'sv', 'en')),
  code_hash text not null unique check (length(code_hash) = 64),
  expires_at timestamptz not null,
  sent_at timestamptz,
  opened_at timestamptz,
  accepted_at timestamptz,
  accepted_by uuid references users (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index guardian_invitations_pupil_idx on guardian_invitations (pupil_id);
create index guardian_invitations_school_idx on guardian_invitations (school_id, created_at);

-- A password reset by e-mail: the token's SHA-256, short-lived and used once.
create table password_resets (
  token_hash text primary key check (length(token_hash) = 64),
  user_id uuid not null references users (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index password_resets_user_idx on password_resets (user_id);
create index users_email_idx on users (lower(email)) where email is not null;
