-- Issue 10, section 2: self-assessments and teacher levels on a project goal. Growth over time means
-- every assessment is kept: rows are only ever inserted (the sharing flag is the one thing that changes).
create table goal_assessments (
  id uuid primary key default gen_random_uuid(),
  goal_id uuid not null references project_goals (id) on delete cascade,
  pupil_id uuid not null references users (id) on delete cascade,
  -- 'self': the pupil assessed themself; 'teacher': one of the pupil's teachers recorded a level.
  kind text not null check (kind in ('self', 'teacher')),
  -- Who assessed; kept as null when a teacher's account is removed (the level stays in the history).
  assessor_id uuid references users (id) on delete set null,
  -- Index into the levels of the project's scale at the time (the service checks the range).
  level integer not null check (level >= 0 and level < 16),
  reflection text check (reflection is null or char_length(reflection) <= 500),
  -- The pupil's own artefacts the assessment is based on (checked by the service).
  artefact_ids uuid[] not null default '{}',
  -- Guardians see an assessment only when the pupil shares it, as with artefacts.
  shared_with_guardians boolean not null default false,
  created_at timestamptz not null default now(),
  check (kind = 'teacher' or assessor_id is null or assessor_id = pupil_id)
);
-- The goal page reads one pupil's assessments on one goal, oldest first.
create index goal_assessments_pupil_goal_idx on goal_assessments (pupil_id, goal_id, created_at);
create index goal_assessments_goal_idx on goal_assessments (goal_id);
