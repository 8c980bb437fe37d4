-- Issue 9, item 4: free tags on artefacts (Mahara's plain `<category term>`), as typed by the pupil.
-- A column rather than a tag table: the timeline, the export and the import read and write an
-- artefact's tags with the artefact's row (no extra join or subquery per row on the hottest read),
-- and the API caps them (20 per artefact, 40 characters each).
alter table artefacts add column tags text[] not null default '{}';

-- Tags are one and the same whatever their case ("Kevät" = "kevät"): filtering compares these keys.
-- An immutable SQL function, so that the GIN index below can be built on it and the filter
-- `polku_tag_keys(tags) @> array[lower($1)]` uses the index.
create function polku_tag_keys(tags text[]) returns text[]
  language sql immutable strict parallel safe
  as $$ select array(select lower(t) from unnest(tags) as t) $$;

create index artefacts_tag_keys_idx on artefacts using gin (polku_tag_keys(tags)) where deleted_at is null;
