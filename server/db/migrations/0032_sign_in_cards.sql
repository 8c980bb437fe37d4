-- Issue 11 §3: QR sign-in cards for young pupils. A card holds a long random secret; only its SHA-256
-- is kept (the secret has 160 random bits, so a fast hash is enough: nothing is left to guess offline).
-- One live card per pupil per school: issuing a new one revokes the old one in the same transaction.
create table sign_in_cards (
  id uuid primary key default gen_random_uuid(),
  school_id uuid not null references schools (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  secret_hash text not null unique check (length(secret_hash) = 64),
  created_by uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references users (id) on delete set null,
  last_used_at timestamptz
);
create unique index sign_in_cards_live_idx on sign_in_cards (school_id, user_id) where revoked_at is null;
create index sign_in_cards_user_idx on sign_in_cards (user_id);

-- When cards work at a school: minutes of the day in the school's time zone (schools.time_zone),
-- [start, end). No row, or both null: any time.
create table sign_in_card_settings (
  school_id uuid primary key references schools (id) on delete cascade,
  hours_start smallint check (hours_start between 0 and 1439),
  hours_end smallint check (hours_end between 1 and 1440),
  updated_at timestamptz not null default now(),
  check ((hours_start is null) = (hours_end is null)),
  check (hours_start is null or hours_start < hours_end)
);
