-- Failed sign-in counters (issue 8, E20), shared by every server process on this database.
-- The layout is the one rate-limiter-flexible's PostgreSQL store uses: key, points, expiry in epoch ms.
create table login_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
