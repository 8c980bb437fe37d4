-- Attack review 15: a showcase's content fingerprint (guardian-sharing.sql.ts showcaseFingerprintSql) is now an md5
-- of its content as JSON, not of its fields joined with chr(31)/chr(30): a heading may hold those characters, so
-- different content (a text block carrying a work's fields) could hash like approved content. Fingerprints stored
-- for a showcase's present content are carried over to the new form, so what teachers approved stays approved;
-- stale ones (the content changed since) stay as they are and match nothing, as before.
create temporary table showcase_fingerprints on commit drop as
select s.id,
  md5(s.title || chr(31) || s.intro_html || chr(30) || coalesce((
      select string_agg(concat_ws(chr(31), coalesce(i.artefact_id::text, '-'), coalesce(a.version::text, '-'),
               case when i.artefact_id is null or (a.deleted_at is null and a.owner_id = s.owner_id) then 'shown' else 'hidden' end,
               coalesce(i.template_slot::text, '-'), i.heading, i.body_html), chr(30) order by i.position)
      from showcase_items i left join artefacts a on a.id = i.artefact_id
      where i.showcase_id = s.id), '')) as old_fp,
  md5(jsonb_build_array(s.title, s.intro_html, coalesce((
      select jsonb_agg(jsonb_build_array(i.artefact_id, a.version,
               i.artefact_id is null or (a.deleted_at is null and a.owner_id = s.owner_id),
               i.template_slot, i.heading, i.body_html) order by i.position)
      from showcase_items i left join artefacts a on a.id = i.artefact_id
      where i.showcase_id = s.id), '[]'::jsonb))::text) as new_fp
from showcases s
where s.id in (select subject_id from guardian_shares where subject_type = 'showcase');

update guardian_shares gs set approved_fingerprint = f.new_fp
from showcase_fingerprints f
where gs.subject_type = 'showcase' and gs.subject_id = f.id and gs.approved_fingerprint = f.old_fp;

update guardian_shares gs set decided_fingerprint = f.new_fp
from showcase_fingerprints f
where gs.subject_type = 'showcase' and gs.subject_id = f.id and gs.decided_fingerprint = f.old_fp;
