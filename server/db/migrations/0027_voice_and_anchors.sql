-- Issue 10 §2–3: voice feedback, anchored feedback, voice reflections.

-- A voice recording kept with the row it belongs to (a feedback message, a goal assessment):
-- {"mime", "sha256", "size", "durationMs", "variants": {"original": key}, "variantDigests": {...}}.
-- Its bytes went through the media pipeline (sniffed, remuxed without metadata) and were stored
-- before the row was written; the keys left pending_blobs in the row's transaction.
alter table feedback add column voice jsonb;
alter table goal_assessments add column voice jsonb;
alter table feedback add constraint feedback_voice_object check (voice is null or jsonb_typeof(voice) = 'object');
alter table goal_assessments add constraint goal_assessments_voice_object check (voice is null or jsonb_typeof(voice) = 'object');

-- A message may be only a recording: the text may then be empty.
alter table feedback drop constraint feedback_body_check;
alter table feedback add constraint feedback_body_or_voice check (length(trim(body)) > 0 or voice is not null);

-- Feedback on an image may mark a region, on a recording or video a moment:
-- {"mediaId", "kind": "region", "x", "y", "w", "h"} (relative 0..1) or {"mediaId", "kind": "moment", "start", "end"} (seconds).
-- The service checks that the media item is on the feedback's artefact and of the matching kind.
alter table feedback add column anchor jsonb;
alter table feedback add constraint feedback_anchor_object check (anchor is null or jsonb_typeof(anchor) = 'object');

-- However a row with a recording goes (deleted feedback, a purged artefact, a removed goal or pupil:
-- cascades included), its blobs are noted in pending_blobs, where the orphan sweeper deletes them.
create function polku_note_voice_blobs() returns trigger language plpgsql as $$
begin
  if old.voice is not null and jsonb_typeof(old.voice -> 'variants') = 'object' then
    insert into pending_blobs (key)
      select v.value from jsonb_each_text(old.voice -> 'variants') as v
      on conflict (key) do nothing;
  end if;
  return old;
end;
$$;
create trigger feedback_voice_blobs after delete on feedback for each row execute function polku_note_voice_blobs();
create trigger goal_assessments_voice_blobs after delete on goal_assessments for each row execute function polku_note_voice_blobs();
