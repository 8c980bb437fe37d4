-- Issue 12 §5: how each user hears of new things outside the app, the weekly guardian digest's send record,
-- and Web Push subscriptions.

-- One row per user who chose: missing row = the default (guardians: weekly by e-mail; everyone else: never).
-- 'weekly' is for guardians only (checked by the API: only a guardian has a digest).
create table notification_preferences (
  user_id uuid primary key references users (id) on delete cascade,
  frequency text not null check (frequency in ('weekly', 'never', 'every')),
  email boolean not null default true,
  push boolean not null default true,
  updated_at timestamptz not null default now()
);

-- The once-per-guardian-per-week claim: a process sends a week's digest only after inserting this row
-- (the primary key makes the second insert a no-op), so two processes never both send. `sent_at` is set
-- after the send; a claim left without it by a dead process is taken over once `claimed_at` is old.
create table digest_sends (
  guardian_id uuid not null references users (id) on delete cascade,
  -- ISO week in the school's time zone, e.g. 2026-W49.
  week text not null check (week ~ '^[0-9]{4}-W[0-9]{2}$'),
  claimed_by text not null,
  claimed_at timestamptz not null default now(),
  sent_at timestamptz,
  -- How many items the digest held (0: nothing to tell, so nothing was sent; null: no e-mail or browser to
  -- send to, so it was not even read).
  items integer,
  primary key (guardian_id, week)
);

-- "Every new item": one row per notification delivered outside the app, the same claim as above.
create table notification_deliveries (
  notification_id uuid primary key references notifications (id) on delete cascade,
  claimed_by text not null,
  claimed_at timestamptz not null default now(),
  sent_at timestamptz
);

-- A browser's Web Push subscription. The endpoint is checked against the allowed push services when
-- subscribing (see push-endpoint.ts); the keys are the browser's public key and auth secret.
create table push_subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  endpoint text not null unique check (length(endpoint) <= 1000),
  p256dh text not null check (length(p256dh) <= 200),
  auth text not null check (length(auth) <= 100),
  created_at timestamptz not null default now()
);
create index push_subscriptions_user_idx on push_subscriptions (user_id);
