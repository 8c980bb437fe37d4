-- What imported portfolios bring along that has no Polku account or row behind it, so that
-- export → import → export keeps it: authors known only by name, and where an item came from.

-- { "source": "leap2a:mahara", "id": "<atom entry id>" }: lets a second import of the same feed skip it.
alter table artefacts add column origin jsonb;
alter table projects add column origin jsonb;
-- Teachers named in an imported project who have no account here: [{ "id": uuid|null, "displayName": text, "role": text|null }].
alter table projects add column imported_teachers jsonb not null default '[]'::jsonb;
-- Authors without an account here (author_id is then null): { "id": uuid|null, "displayName": text, "role": text|null }.
alter table artefact_versions add column imported_author jsonb;
alter table feedback add column imported_author jsonb;

-- SHA-256 and size of every stored variant: { "<variant>": { "sha256": hex, "size": bytes } }.
-- The export names files by content hash before streaming them, so it needs these up front.
alter table media_items add column variant_digests jsonb not null default '{}'::jsonb;
