-- Issue 12 §5: the in-app notification centre. One row per recipient and event, written in the transaction
-- of the event itself. `payload` holds only the ids a client needs to link to the subject and a short summary
-- (a title, a name) the recipient could see when it was written; every read checks again, through the
-- policy, that the recipient may still see the subject (a guardian unlinked, an item unshared: hidden).
-- The weekly digest and Web Push (later parts of §5) read the same rows.
create table notifications (
  id uuid primary key default gen_random_uuid(),
  recipient_id uuid not null references users (id) on delete cascade,
  kind text not null check (kind ~ '^[a-z_]{1,40}$'),
  payload jsonb not null check (jsonb_typeof(payload) = 'object' and octet_length(payload::text) <= 2000),
  created_at timestamptz not null default now(),
  read_at timestamptz
);
-- "My latest page", newest first (the cursor is created_at, id).
create index notifications_recipient_idx on notifications (recipient_id, created_at desc, id desc);
-- "My unread count": only unread rows are indexed, so the badge stays cheap however many are read.
create index notifications_unread_idx on notifications (recipient_id, created_at desc) where read_at is null;
