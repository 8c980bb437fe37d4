-- Issue 12 §1: teacher approval before guardians see (per school).
-- A school shares with guardians directly (as before) or only after one of the pupil's teachers approves.
alter table schools add column guardian_sharing text not null default 'direct' check (guardian_sharing in ('direct', 'approval'));

-- One row per thing a pupil has shared with guardians (an artefact now; a showcase later: the key is the
-- subject's type and id, so any module's share action can use the same queue). What guardians see is derived
-- from it and the policy (guardianView in policy.ts):
--   approval state    pending (waits in the teachers' queue), approved, returned (with the teacher's note);
--                     null while the school shares directly.
--   approved_version  the last version a teacher approved while shared: guardians see that one, also while a
--                     newer version waits (re-approval after a content edit). Null: guardians see nothing yet.
--   approved_versions every version approved while shared: the guardian's history when the history is not shared.
--   visible_since     when guardians first saw the item in its present sharing (shared directly or first
--                     approved): feedback from before it stays theirs to see only with share_history.
--   share_history     the pupil's choice: guardians see the earlier versions and feedback too (default off).
create table guardian_shares (
  subject_type text not null check (subject_type in ('artefact', 'showcase')),
  subject_id uuid not null,
  owner_id uuid not null references users (id) on delete cascade,
  share_history boolean not null default false,
  visible_since timestamptz,
  state text check (state in ('pending', 'approved', 'returned')),
  requested_version int,
  requested_at timestamptz,
  approved_version int,
  approved_versions int[] not null default '{}',
  note text check (note is null or char_length(note) <= 1000),
  decided_by uuid references users (id) on delete set null,
  decided_at timestamptz,
  primary key (subject_type, subject_id)
);
-- The teachers' queue: pending items of the pupils they teach, oldest first.
create index guardian_shares_pending_idx on guardian_shares (owner_id, requested_at) where state = 'pending';

-- Artefacts shared before this migration: guardians saw them from when they were last shared (their latest
-- visibility event) or else from their creation; the feedback thread stays as they knew it.
insert into guardian_shares (subject_type, subject_id, owner_id, visible_since)
select 'artefact', a.id, a.owner_id,
  coalesce((select max(e.created_at) from artefact_events e
            where e.artefact_id = a.id and e.kind = 'visibility' and e.details ->> 'to' = 'guardians'), a.created_at)
from artefacts a
where a.visibility = 'guardians';
