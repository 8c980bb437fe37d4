-- Issue 10 §3–4, the uptake loop.

-- What happens to an artefact besides its content (marked ready, shared, moved to another project):
-- kept as events, so the version history holds only real changes of content. `shared` says the
-- artefact was shared with guardians after the event: a guardian sees those events only.
create table artefact_events (
  id uuid primary key default gen_random_uuid(),
  artefact_id uuid not null references artefacts (id) on delete cascade,
  actor_id uuid references users (id) on delete set null,
  kind text not null check (kind in ('status', 'visibility', 'placement')),
  details jsonb not null default '{}',
  shared boolean not null default false,
  created_at timestamptz not null default now()
);
create index artefact_events_artefact_idx on artefact_events (artefact_id, created_at);

-- Feedback may name the project goals it is about and ask for a revision ("korjaa / täydennä");
-- a version of the pupil may answer it (one version answers a message; a save may answer several).
alter table feedback add column goal_ids uuid[] not null default '{}';
alter table feedback add column revise boolean not null default false;
alter table feedback add column answered_version int;
alter table feedback add column answered_at timestamptz;
alter table feedback add constraint feedback_answered_version_fk
  foreign key (artefact_id, answered_version) references artefact_versions (artefact_id, version) on delete set null (answered_version);
