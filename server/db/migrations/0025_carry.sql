-- Issue 10 §8, carry it everywhere: what an imported portfolio brings that has no account or school here.

-- A project imported from an archive whose scale is not one of the built-in ones keeps that scale as
-- its own data ({"name": {fi, sv, en}, "levels": [{labels, icon}, ...]}): the pupil's project belongs
-- to no school's scale list, and mapping it to a built-in scale would change what the levels said.
alter table projects add column imported_scale jsonb;

-- A teacher level brought by an import: the teacher is a name-only person (like feedback.imported_author),
-- never linked to an account here.
alter table goal_assessments add column imported_assessor jsonb;

-- Who caused an imported artefact event, when it is not the pupil: a name-only person.
alter table artefact_events add column imported_actor jsonb;
