-- An import links no one but the target pupil to an account (issue 8, A1): everyone else an
-- archive names is a name-only imported person. Earlier imports stored people from another Polku
-- with "imported": false, which exports then presented as that Polku's users; mark them imported.
update feedback set imported_author = imported_author || '{"imported": true}'::jsonb
  where imported_author is not null and jsonb_typeof(imported_author) = 'object';
update artefact_versions set imported_author = imported_author || '{"imported": true}'::jsonb
  where imported_author is not null and jsonb_typeof(imported_author) = 'object';
update projects set imported_teachers = (
    select coalesce(jsonb_agg(t || '{"imported": true}'::jsonb order by n), '[]'::jsonb)
    from jsonb_array_elements(imported_teachers) with ordinality as e(t, n)
  )
  where jsonb_typeof(imported_teachers) = 'array' and jsonb_array_length(imported_teachers) > 0;
