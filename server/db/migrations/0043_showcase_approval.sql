-- Issue 12 §1 for showcases: a showcase goes through the teachers' approval queue like an artefact. It has no
-- versions, so a teacher approves a content fingerprint (an md5 over its title, introduction and items in order,
-- each work with its current version: guardian-sharing.sql.ts showcaseFingerprintSql), stored on its row.
--   approved_fingerprint  the content a teacher approved while shared: guardians see the showcase only while its
--                         content still has this fingerprint (a changed one is not shown at all: there is no
--                         earlier version to keep showing). Null: nothing approved (artefact rows: always null).
--   decided_fingerprint   the content of the last decision (approved or returned): the showcase waits in the
--                         queue whenever its content differs from it, so any edit, of the showcase or of a work
--                         in it, asks for approval again without hooks in other modules.
-- requested_version stays null for showcases.
alter table guardian_shares add column approved_fingerprint text;
alter table guardian_shares add column decided_fingerprint text;
