-- Issue 12 §2 with §4's archives: guardian comments brought in by an import. An import links no one but the
-- pupil to an account, so such a comment's author is a name only (like peer_feedback.imported_author);
-- author_id is then null (it already may be: an account removed).
alter table guardian_comments add column imported_author jsonb;
