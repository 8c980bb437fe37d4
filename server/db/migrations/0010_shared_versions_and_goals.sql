-- Guardians see an artefact's history only as far as it was shared with them: a version counts as
-- shared when the artefact was shared with guardians while that version was its current state (the
-- visibility its snapshot records). Derived from the snapshot, so no writer (app or import) can forget it.
alter table artefact_versions add column shared boolean generated always as ((snapshot ->> 'visibility') = 'guardians') stored;

-- Goal ids whose goal was removed from the project before goal removal dropped them from artefacts:
-- they made every later save of the artefact fail.
update artefacts a
set goal_ids = array(select g from unnest(a.goal_ids) as g where g in (select pg.id from project_goals pg where pg.project_id = a.project_id))
where cardinality(a.goal_ids) > 0
  and exists (select 1 from unnest(a.goal_ids) as g where g not in (select pg.id from project_goals pg where pg.project_id = a.project_id));
