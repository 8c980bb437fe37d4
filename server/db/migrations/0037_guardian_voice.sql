-- Issue 12 §2: guardian voice. Guardians react to and comment on what their child shared with them.

-- The school's setting for guardian comments: none (the default), shown at once, or held for a teacher.
-- Which school's setting applies to an item: see README, "Guardian voice".
alter table schools add column guardian_comments text not null default 'off'
  check (guardian_comments in ('off', 'shown', 'moderated'));

-- A comment or reaction targets exactly one item: an artefact today, a showcase later (issue 12 §3). The
-- showcase's foreign key is added with the routes that use it (showcases are created by a later migration).
create table guardian_comments (
  id uuid primary key default gen_random_uuid(),
  artefact_id uuid references artefacts (id) on delete cascade,
  showcase_id uuid,
  -- The child whose item it is (the item's owner when written): "the guardians of the same pupil".
  pupil_id uuid not null references users (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  -- Plain text; '' only once its author deleted it.
  body text not null check (char_length(body) <= 2000 and (char_length(body) >= 1 or state = 'deleted')),
  -- held: waits for a teacher; shown; reported: the pupil reported it (hidden until a teacher looks);
  -- hidden: a teacher hid it; deleted: its author deleted it. Rows stay (audit, rate limit).
  state text not null check (state in ('held', 'shown', 'reported', 'hidden', 'deleted')),
  created_at timestamptz not null default now(),
  moderated_at timestamptz,
  moderated_by uuid references users (id) on delete set null,
  check (num_nonnulls(artefact_id, showcase_id) = 1)
);
create index guardian_comments_artefact_idx on guardian_comments (artefact_id, created_at) where artefact_id is not null;
create index guardian_comments_showcase_idx on guardian_comments (showcase_id, created_at) where showcase_id is not null;
-- The rate limit counts a guardian's recent comments.
create index guardian_comments_author_idx on guardian_comments (author_id, created_at);
-- The teachers' moderation list reads held and reported comments only.
create index guardian_comments_pending_idx on guardian_comments (state) where state in ('held', 'reported');

-- One row per guardian, item and reaction given (toggling off deletes it).
create table guardian_reactions (
  id uuid primary key default gen_random_uuid(),
  artefact_id uuid references artefacts (id) on delete cascade,
  showcase_id uuid,
  guardian_id uuid not null references users (id) on delete cascade,
  reaction text not null check (reaction in ('heart', 'star', 'clap', 'smile', 'wow')),
  created_at timestamptz not null default now(),
  check (num_nonnulls(artefact_id, showcase_id) = 1)
);
create unique index guardian_reactions_artefact_key on guardian_reactions (artefact_id, guardian_id, reaction) where artefact_id is not null;
create unique index guardian_reactions_showcase_key on guardian_reactions (showcase_id, guardian_id, reaction) where showcase_id is not null;
