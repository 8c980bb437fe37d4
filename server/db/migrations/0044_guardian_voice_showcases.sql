-- Issue 12 §2 on showcases (§3): guardians react to and comment on a showcase shared with them. Migration 0037
-- left showcase_id without its foreign key (showcases came later, in 0038); the routes that write it come now.
-- A showcase deleted takes its guardian voice with it, as an artefact's does.
alter table guardian_comments
  add constraint guardian_comments_showcase_fk foreign key (showcase_id) references showcases (id) on delete cascade;
alter table guardian_reactions
  add constraint guardian_reactions_showcase_fk foreign key (showcase_id) references showcases (id) on delete cascade;
