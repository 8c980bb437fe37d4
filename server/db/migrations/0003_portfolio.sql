-- Reference data, projects, artefacts with versions and media, feedback and read state.

-- Subjects: the national code set (KOSKI). Labels in fi/sv/en as data, not enums.
create table subjects (
  code text primary key,
  labels jsonb not null,
  position int not null
);

-- Competence frameworks per school level: basic education L1–L7, upper secondary areas.
create table competence_frameworks (
  key text primary key,
  labels jsonb not null
);
create table competences (
  id text primary key, -- '<framework>:<key>', e.g. 'basic:L4'
  framework text not null references competence_frameworks (key) on delete cascade,
  key text not null,
  labels jsonb not null,
  position int not null,
  unique (framework, key)
);

create table projects (
  id uuid primary key default gen_random_uuid(),
  school_id uuid not null references schools (id) on delete cascade,
  title text not null check (length(trim(title)) > 0),
  description text not null default '',
  school_year text,
  starts_on date,
  ends_on date check (ends_on is null or starts_on is null or ends_on >= starts_on),
  subject_codes text[] not null default '{}',
  competence_ids text[] not null default '{}',
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index projects_school_idx on projects (school_id);

create table project_phases (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  position int not null,
  title text not null check (length(trim(title)) > 0)
);
create index project_phases_project_idx on project_phases (project_id, position);

create table project_goals (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  position int not null,
  text text not null check (length(trim(text)) > 0)
);
create index project_goals_project_idx on project_goals (project_id, position);

create table project_teachers (
  project_id uuid not null references projects (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  primary key (project_id, user_id)
);
create index project_teachers_user_idx on project_teachers (user_id);

create table project_groups (
  project_id uuid not null references projects (id) on delete cascade,
  group_id uuid not null references groups (id) on delete cascade,
  primary key (project_id, group_id)
);
create index project_groups_group_idx on project_groups (group_id);

create table artefacts (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references users (id) on delete cascade,
  project_id uuid references projects (id) on delete set null,
  phase_id uuid references project_phases (id) on delete set null,
  kind text not null check (kind in ('text', 'image', 'drawing', 'audio', 'video', 'file', 'link')),
  title text not null check (length(trim(title)) > 0),
  body_html text not null default '',
  links jsonb not null default '[]'::jsonb,
  subject_codes text[] not null default '{}',
  competence_ids text[] not null default '{}',
  goal_ids uuid[] not null default '{}',
  status text not null default 'draft' check (status in ('draft', 'ready')),
  ready_at timestamptz,
  visibility text not null default 'private' check (visibility in ('private', 'guardians')),
  version int not null default 1,
  -- Millisecond precision, so that the timeline's keyset cursor (a JS date) compares exactly.
  created_at timestamptz not null default date_trunc('milliseconds', now()),
  updated_at timestamptz not null default now(),
  -- Deleting sets this; the row and its media go for good when the undo window has passed.
  deleted_at timestamptz
);
-- The timeline: one pupil's artefacts, newest first, keyset-paginated on (created_at, id).
create index artefacts_timeline_idx on artefacts (owner_id, created_at desc, id desc) where deleted_at is null;
create index artefacts_project_idx on artefacts (project_id) where deleted_at is null;
create index artefacts_ready_idx on artefacts (owner_id, ready_at) where status = 'ready' and deleted_at is null;
create index artefacts_deleted_idx on artefacts (deleted_at) where deleted_at is not null;

-- Every saved state of an artefact, so that the learning process shows.
create table artefact_versions (
  artefact_id uuid not null references artefacts (id) on delete cascade,
  version int not null,
  author_id uuid references users (id) on delete set null,
  snapshot jsonb not null,
  created_at timestamptz not null default now(),
  primary key (artefact_id, version)
);

create table media_items (
  id uuid primary key default gen_random_uuid(),
  artefact_id uuid not null references artefacts (id) on delete cascade,
  owner_id uuid not null references users (id) on delete cascade,
  position int not null default 0,
  kind text not null check (kind in ('image', 'audio', 'video', 'file')),
  mime text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint not null,
  original_name text,
  width int,
  height int,
  duration_ms int,
  -- { "original": key, "display": key, "thumb": key, "poster": key } (keys in the blob store)
  variants jsonb not null,
  created_at timestamptz not null default now(),
  -- Removed from the artefact by an edit; kept while earlier versions show it.
  removed_at timestamptz
);
create index media_items_artefact_idx on media_items (artefact_id, position);

-- Blobs written before the row that points to them (or about to be deleted after their row went):
-- a sweeper deletes what a crash left here, so no orphan stays in the store.
create table pending_blobs (
  key text primary key,
  created_at timestamptz not null default now()
);

create table feedback (
  id uuid primary key default gen_random_uuid(),
  artefact_id uuid not null references artefacts (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  parent_id uuid references feedback (id) on delete cascade,
  body text not null check (length(trim(body)) > 0),
  created_at timestamptz not null default now(),
  edited_at timestamptz
);
create index feedback_artefact_idx on feedback (artefact_id, created_at);

-- Up to when each user has read an artefact's feedback thread.
create table feedback_reads (
  user_id uuid not null references users (id) on delete cascade,
  artefact_id uuid not null references artefacts (id) on delete cascade,
  read_at timestamptz not null,
  primary key (user_id, artefact_id)
);
