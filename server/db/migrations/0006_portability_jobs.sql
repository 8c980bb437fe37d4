-- Export and import jobs (issue 4). One table for both: they share the claim, heartbeat, progress
-- and retention machinery. Jobs run in a server process, independent of the request that made them.

create table portability_jobs (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('export', 'import')),
  -- export: queued → running → done | failed.
  -- import: ready (uploaded, preview stored) → queued → running → done | failed.
  status text not null check (status in ('queued', 'running', 'ready', 'done', 'failed')),
  -- The blob store the job's files live in ('local:<dir>' or 's3:<endpoint>/<bucket>'): only a process
  -- using the same store may run the job, or the archive would land where the download cannot find it.
  store text not null,
  requested_by uuid not null references users (id) on delete cascade,
  -- Export: the pupil whose portfolio is exported. Import: the target pupil (set once a new account exists).
  pupil_id uuid references users (id) on delete cascade,
  -- Import into a new account: the school it is created at.
  school_id uuid references schools (id) on delete cascade,
  scope text check (scope in ('full', 'shared')),
  locale text not null default 'fi',
  -- Import: { "kind": "existing", "pupilId" } | { "kind": "new", "schoolId", "username"?, "displayName"? }.
  target jsonb,
  -- The name the download gets (export) or the uploaded file's name (import), shown in the page.
  file_name text not null,
  -- Export: the finished archive. Import: the uploaded file, until the import has been applied.
  blob_key text,
  size bigint,
  -- { "phase", "done", "total", "bytes"? }
  progress jsonb,
  -- Import: { "preview": …, "report": … }. Export: { "entries": n }.
  result jsonb,
  -- { "code", "message" } of a failed job, the message written for a person.
  error jsonb,
  attempts integer not null default 0,
  -- Which process runs it, and when that process last said it still does: a stale heartbeat
  -- means the process died, and another one takes the job again.
  worker text,
  heartbeat_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  -- After this the row and its blob are deleted by the maintenance sweep.
  expires_at timestamptz not null
);

-- Claiming: the oldest queued (or abandoned running) job of a store.
create index portability_jobs_claim on portability_jobs (store, created_at) where status in ('queued', 'running');
create index portability_jobs_expiry on portability_jobs (expires_at);
create index portability_jobs_pupil on portability_jobs (pupil_id, kind, created_at desc);
create index portability_jobs_requester on portability_jobs (requested_by);
