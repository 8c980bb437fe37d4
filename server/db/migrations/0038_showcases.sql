-- Issue 12 §3: showcases, a pupil's curated pages of their own work (as a Mahara page or collection).
-- Written first, before the module that uses it, so that sharing, secret links and the export/import
-- could be built against it at the same time.

-- A teacher's suggested outline for a project's showcases ("Vesiprojektin kooste": three works and a
-- reflection per goal). A pupil starts a showcase from it; the showcase is the pupil's own from then on.
create table showcase_templates (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects (id) on delete cascade,
  created_by uuid references users (id) on delete set null,
  title text not null check (char_length(title) between 1 and 200),
  intro text not null default '' check (char_length(intro) <= 4000),
  -- The places a pupil fills, in order: [{ "prompt": text, "goalId": uuid | null }].
  slots jsonb not null default '[]' check (jsonb_typeof(slots) = 'array' and jsonb_array_length(slots) <= 30),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index showcase_templates_project_idx on showcase_templates (project_id);

create table showcases (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references users (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  intro_html text not null default '' check (octet_length(intro_html) <= 200000),
  -- private: the pupil and their teachers; guardians: also the pupil's guardians; project: also the pupils
  -- of project_id's groups. Secret links are a separate choice (they do not change this).
  visibility text not null default 'private' check (visibility in ('private', 'guardians', 'project')),
  project_id uuid references projects (id) on delete set null,
  template_id uuid references showcase_templates (id) on delete set null,
  -- Where an imported showcase came from (as artefacts.origin); null for one made here.
  origin jsonb,
  created_at timestamptz not null default now(),
  -- No check that 'project' has a project: a project that goes (on delete set null) leaves a showcase no
  -- project's pupils see, which the policy reads as shared with nobody beyond guardians.
  updated_at timestamptz not null default now()
);
create index showcases_owner_idx on showcases (owner_id, updated_at desc);

-- The showcase's content in the order chosen: an artefact of the owner with "why I chose this", or a
-- text block of its own (Mahara pages carry text blocks between the artefacts).
create table showcase_items (
  id uuid primary key default gen_random_uuid(),
  showcase_id uuid not null references showcases (id) on delete cascade,
  position integer not null check (position >= 0),
  artefact_id uuid references artefacts (id) on delete cascade,
  heading text not null default '' check (char_length(heading) <= 200),
  -- For an artefact: the pupil's reflection on why it is here. For a text block: its text.
  body_html text not null default '' check (octet_length(body_html) <= 100000),
  -- Which of the template's slots this item fills, when the showcase came from one.
  template_slot integer check (template_slot >= 0),
  unique (showcase_id, position)
);
create index showcase_items_artefact_idx on showcase_items (artefact_id) where artefact_id is not null;
