-- Issue 9, item 5: a project an import brings (a Mahara journal or collection, a Polku archive's
-- project) belongs to the pupil it was imported into. It never has teachers or groups of its own
-- (issue 8, A1), so without an owner nobody could open it: not the pupil, not their teachers.
alter table projects add column owner_id uuid references users (id) on delete cascade;
create index projects_owner_idx on projects (owner_id) where owner_id is not null;

-- Projects imported before this column: no creator, no teachers, no groups, and work of exactly one
-- pupil in them. That pupil is the one they were imported into.
update projects p
set owner_id = o.owner_id
from (
  select a.project_id, (array_agg(distinct a.owner_id))[1] as owner_id
  from artefacts a
  where a.project_id is not null
  group by a.project_id
  having count(distinct a.owner_id) = 1
) o
where o.project_id = p.id
  and p.created_by is null
  and p.owner_id is null
  and not exists (select 1 from project_teachers t where t.project_id = p.id)
  and not exists (select 1 from project_groups g where g.project_id = p.id);
