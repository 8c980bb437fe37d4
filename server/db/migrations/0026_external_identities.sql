-- Issue 11: how people are known outside Polku. Two feature areas meet here (school sign-in and roster
-- import), so the tables they share are defined once, before either.

-- A sign-in identity from an OpenID Connect provider: accounts are linked by issuer + subject, never by
-- e-mail alone. One account may have several (MPASSid and Entra ID, say); one identity names one account.
create table user_identities (
  issuer text not null check (length(issuer) between 1 and 500),
  subject text not null check (length(subject) between 1 and 255),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  primary key (issuer, subject)
);
create index user_identities_user_idx on user_identities (user_id);

-- What a school's roster says identifies a user at that school: the roster's stable source id
-- ('sourced_id'), the national learner id ('learner_id'), the directory user name / UPN ('username')
-- or e-mail ('email'). A roster import writes these; sign-in of a rostered-only school matches an
-- identity provider's claim against them, within that school only.
create table roster_keys (
  school_id uuid not null references schools (id) on delete cascade,
  kind text not null check (kind in ('sourced_id', 'learner_id', 'username', 'email')),
  value text not null check (length(value) between 1 and 255),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (school_id, kind, value)
);
create index roster_keys_user_idx on roster_keys (user_id);
