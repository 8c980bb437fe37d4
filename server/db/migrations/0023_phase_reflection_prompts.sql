-- Reflection prompts of a project phase (issue 10 §2): short lines a teacher writes ("Mitä opin?"),
-- shown to pupils when they add work to the phase. Ordered; empty for phases without prompts.
alter table project_phases add column reflection_prompts text[] not null default '{}';
