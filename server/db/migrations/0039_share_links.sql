-- Issue 12 §4: secret links. A read-only link to one artefact or one showcase of a pupil, for someone without
-- an account (a relative, a next school). Only the SHA-256 of the token is kept, so the table (a backup, a
-- log of queries) never opens a link; a passcode is kept as an argon2id hash, as passwords are.
create table share_links (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  -- Exactly one subject: an artefact or a showcase. Deleting the subject deletes its links.
  artefact_id uuid references artefacts (id) on delete cascade,
  showcase_id uuid references showcases (id) on delete cascade,
  -- The pupil whose work it is (the subject's owner), kept for the list and the audit.
  owner_id uuid not null references users (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  passcode_hash text,
  include_feedback boolean not null default false,
  show_name boolean not null default false,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by uuid references users (id) on delete set null,
  last_accessed_at timestamptz,
  access_count integer not null default 0 check (access_count >= 0),
  -- Wrong passcodes over the link's whole life: at SHARE_PASSCODE_LIFETIME_TRIES the link closes (attack review 14).
  passcode_failures integer not null default 0 check (passcode_failures >= 0),
  check ((artefact_id is null) <> (showcase_id is null)),
  -- At most a year (and a little slack for the clock between the service's check and the insert).
  check (expires_at > created_at and expires_at <= created_at + interval '366 days')
);
create index share_links_artefact_idx on share_links (artefact_id, created_at desc) where artefact_id is not null;
create index share_links_showcase_idx on share_links (showcase_id, created_at desc) where showcase_id is not null;

-- The school's minimum age for a pupil's own secret links; younger pupils (and those of unknown age) get
-- links only from their teachers.
alter table schools add column share_link_min_age smallint not null default 13 check (share_link_min_age between 0 and 20);
