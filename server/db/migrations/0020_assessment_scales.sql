-- Issue 10, section 1: assessment scales are data. A scale is an ordered list of levels, each with a
-- label in fi/sv/en and an icon (young pupils read the icon, not the words). Built-in scales have no
-- school and are read-only; a school's admins add their own. Formative only: a level has no number.
create table assessment_scales (
  id uuid primary key default gen_random_uuid(),
  school_id uuid references schools (id) on delete cascade,
  -- Names the built-in scales ('growth4', 'smiley3'); null for a school's own.
  builtin_key text unique,
  -- {"fi": "...", "sv": "...", "en": "..."}
  name jsonb not null,
  -- [{"labels": {"fi", "sv", "en"}, "icon": "🌱"}, ...] in order, lowest first
  levels jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((school_id is null) = (builtin_key is not null))
);
create index assessment_scales_school_idx on assessment_scales (school_id) where school_id is not null;

insert into assessment_scales (builtin_key, name, levels) values
(
  'growth4',
  '{"fi": "Kasvun polku (4 tasoa)", "sv": "Växandets stig (4 nivåer)", "en": "Growth path (4 steps)"}',
  '[{"labels": {"fi": "Harjoittelen", "sv": "Jag övar", "en": "I''m practising"}, "icon": "🌱"},
    {"labels": {"fi": "Osaan osittain", "sv": "Jag kan delvis", "en": "I can partly"}, "icon": "🌿"},
    {"labels": {"fi": "Osaan", "sv": "Jag kan", "en": "I can"}, "icon": "🌳"},
    {"labels": {"fi": "Osaan hyvin", "sv": "Jag kan bra", "en": "I can well"}, "icon": "🌟"}]'
),
(
  'smiley3',
  '{"fi": "Hymiöt (1.–2. lk)", "sv": "Smilisar (åk 1–2)", "en": "Smileys (grades 1–2)"}',
  '[{"labels": {"fi": "Vielä vaikeaa", "sv": "Ännu svårt", "en": "Still hard"}, "icon": "🙁"},
    {"labels": {"fi": "Melkein", "sv": "Nästan", "en": "Almost"}, "icon": "😐"},
    {"labels": {"fi": "Osaan", "sv": "Jag kan", "en": "I can"}, "icon": "🙂"}]'
);

-- A project's scale; null means the 4-step growth scale. A removed school scale falls back to it.
alter table projects add column scale_id uuid references assessment_scales (id) on delete set null;

-- A goal's success criteria: short lines ("I can name three ...") in the order written.
alter table project_goals add column success_criteria text[] not null default '{}';
