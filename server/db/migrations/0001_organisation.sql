-- Schools, groups, users, memberships, guardian links, sessions and the audit trail.

create table schools (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(trim(name)) > 0),
  -- Statistics Finland / Opetushallitus school code, optional
  code text unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null check (username = lower(username) and length(username) between 2 and 100),
  display_name text not null check (length(trim(display_name)) > 0),
  email text,
  -- argon2id PHC string; null for accounts that only sign in through SSO
  password_hash text,
  locale text check (locale in ('fi', 'sv', 'en')),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_username_key on users (username);

-- A user's role at a school: one user may be a teacher at one school and a guardian at another.
create table school_roles (
  school_id uuid not null references schools (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('pupil', 'teacher', 'guardian', 'admin')),
  created_at timestamptz not null default now(),
  primary key (school_id, user_id, role)
);
create index school_roles_user_idx on school_roles (user_id);

create table groups (
  id uuid primary key default gen_random_uuid(),
  school_id uuid not null references schools (id) on delete cascade,
  name text not null check (length(trim(name)) > 0),
  -- e.g. "2026-2027"
  school_year text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (school_id, name, school_year)
);
create index groups_school_idx on groups (school_id);

create table memberships (
  group_id uuid not null references groups (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('pupil', 'teacher')),
  created_at timestamptz not null default now(),
  primary key (group_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table guardian_links (
  guardian_id uuid not null references users (id) on delete cascade,
  pupil_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (guardian_id, pupil_id),
  check (guardian_id <> pupil_id)
);
create index guardian_links_pupil_idx on guardian_links (pupil_id);

create table sessions (
  sid text primary key,
  user_id uuid references users (id) on delete cascade,
  data jsonb not null,
  expires_at timestamptz not null
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

create table audit_events (
  id uuid primary key default gen_random_uuid(),
  at timestamptz not null default now(),
  actor_id uuid references users (id) on delete set null,
  action text not null,
  subject_type text not null,
  subject_id text,
  -- whose data this touched (a pupil), so that a data request can list it
  subject_user_id uuid references users (id) on delete set null,
  details jsonb not null default '{}'::jsonb,
  ip text
);
create index audit_events_subject_user_idx on audit_events (subject_user_id, at desc);
create index audit_events_actor_idx on audit_events (actor_id, at desc);
