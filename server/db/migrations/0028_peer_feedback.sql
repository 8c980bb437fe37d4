-- Peer feedback (issue 10 §5). Kept in tables of its own, beside (not inside) artefacts and feedback:
-- sharing with the project's pupils is a separate choice from sharing with guardians (a pupil may want
-- both, either or neither), so it is not a value of artefacts.visibility.

-- A project's teachers allow peer feedback by writing this row; no row: not allowed.
-- 'shown': messages are visible at once (a teacher may hide them); 'held': a teacher approves each first.
create table project_peer_settings (
  project_id uuid primary key references projects (id) on delete cascade,
  moderation text not null check (moderation in ('shown', 'held')),
  updated_at timestamptz not null default now()
);

-- An artefact its owner shared with the pupils of its project's groups, and since when.
create table artefact_peer_shares (
  artefact_id uuid primary key references artefacts (id) on delete cascade,
  shared_at timestamptz not null default now()
);

-- "Two stars and a wish": two things done well, one to improve. Rows are never deleted by moderation:
-- a hidden message stays here and in the audit trail.
create table peer_feedback (
  id uuid primary key default gen_random_uuid(),
  artefact_id uuid not null references artefacts (id) on delete cascade,
  -- A classmate's account; null when the account is gone or the message was imported (then imported_author).
  author_id uuid references users (id) on delete set null,
  imported_author jsonb,
  star1 text not null check (char_length(star1) between 1 and 500),
  star2 text not null check (char_length(star2) between 1 and 500),
  wish text not null check (char_length(wish) between 1 and 500),
  -- held: waits for a teacher; shown: visible; reported: the owner reported it, hidden until a teacher
  -- looks; hidden: a teacher hid it.
  state text not null check (state in ('held', 'shown', 'reported', 'hidden')),
  created_at timestamptz not null default now(),
  moderated_at timestamptz,
  moderated_by uuid references users (id) on delete set null
);
create index peer_feedback_artefact_idx on peer_feedback (artefact_id, created_at);
-- The teacher's moderation list reads the held and reported messages only.
create index peer_feedback_pending_idx on peer_feedback (state) where state in ('held', 'reported');
