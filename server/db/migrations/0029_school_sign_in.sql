-- Issue 11 §1: school sign-in through OpenID Connect providers. Identities and roster keys are in 0026;
-- these are the per-school choices and the short-lived state of a sign-in in progress.

-- Per school and provider (the provider's id from the configuration, SSO_PROVIDERS), what an admin chose:
-- 'rostered' lets in only users the school already knows (a roster key or a one-time link code);
-- 'create' also makes an account at first sign-in from the provider's claims (never an admin).
create table sso_school_providers (
  school_id uuid not null references schools (id) on delete cascade,
  provider text not null check (provider ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  mode text not null check (mode in ('rostered', 'create')),
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (school_id, provider)
);

-- A school whose admin turned password sign-in off (the row exists only then; other schools keep it on).
create table school_password_off (
  school_id uuid primary key references schools (id) on delete cascade,
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now()
);

-- A sign-in on its way through a provider: found by the hash of its state, used once (deleted on return).
-- The browser that started it holds a random binding in a cookie, stored here only as a hash.
create table sso_logins (
  state_hash text primary key check (length(state_hash) = 64),
  browser_hash text not null check (length(browser_hash) = 64),
  provider text not null,
  code_verifier text not null,
  nonce text not null,
  link_code_hash text,
  expires_at timestamptz not null
);
create index sso_logins_expires_idx on sso_logins (expires_at);

-- A one-time code an admin gives a rostered user, so that their first provider sign-in links to their account.
create table sso_link_codes (
  code_hash text primary key check (length(code_hash) = 64),
  school_id uuid not null references schools (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index sso_link_codes_user_idx on sso_link_codes (user_id);
