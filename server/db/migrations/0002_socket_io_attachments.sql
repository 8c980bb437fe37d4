-- Used by @socket.io/postgres-adapter (REALTIME_ADAPTER=postgres) for payloads too big for NOTIFY.
create table if not exists socket_io_attachments (
  id bigserial unique,
  created_at timestamptz default now(),
  payload bytea
);
