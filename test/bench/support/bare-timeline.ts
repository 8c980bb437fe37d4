/**
 * The bare baseline of the timeline benchmark: the same work as Polku's timeline read, done with
 * nothing else. A `node:http` server with a `pg` pool (the same size as Polku's) that, for
 * `GET /pupils/<pupilId>/artefacts?limit=<n>&viewer=<userId>&scope=all|shared[&cursor=…]`, runs the
 * timeline's SQL for that viewer and scope (the same text as `selectArtefacts` in
 * server/modules/artefacts/artefacts.repo.ts, as a named prepared statement, as Polku sends it) and
 * writes the same JSON page (`{ items, nextCursor }`, field for field `presentArtefact`).
 *
 * What it leaves out is exactly Polku's per-request overhead that the benchmark's ratio measures:
 * Express routing, helmet, the request logger, the session with its user (one query), the pupil's
 * policy facts (which Polku reads as one more column of this same query: `timelineWithPupilFacts`),
 * the policy, zod. The viewer and scope are given in the query string, as if they were already
 * known. The benchmark checks that both answer the same page.
 *
 * Runs as its own process (`node --import tsx bare-timeline.ts --serve`), started by
 * `startBareTimeline`; it prints `listening <port>` when ready.
 */
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../helpers/free-port.ts';
import { onCleanup } from './cleanup.ts';
import { spawnNode, TSX, type NodeChild } from './proc.ts';

/** `selectArtefacts`'s SQL for `timelineRows` with scope 'all' ($1, $2 viewer; $3 pupil; $4 limit). */
const selectSql = (extraWhere: string, limitParam: string) => `
    select a.id, a.owner_id as "ownerId", owner.display_name as "ownerName", a.project_id as "projectId", a.phase_id as "phaseId",
      a.kind, a.title, a.body_html as "bodyHtml", a.links, a.subject_codes as "subjectCodes", a.competence_ids as "competenceIds",
      a.goal_ids as "goalIds", a.tags, a.status, a.visibility, a.version, a.created_at as "createdAt", a.updated_at as "updatedAt", a.ready_at as "readyAt",
      coalesce((
        select json_agg(json_build_object('id', m.id, 'kind', m.kind, 'mime', m.mime, 'size', m.size, 'originalName', m.original_name,
                                          'width', m.width, 'height', m.height, 'durationMs', m.duration_ms, 'variants', m.variants) order by m.position)
        from media_items m where m.artefact_id = a.id and m.removed_at is null
      ), '[]') as media,
      (select count(*)::int from feedback f where f.artefact_id = a.id) as "feedbackCount",
      (select count(*)::int from feedback f
        where f.artefact_id = a.id and (f.author_id is null or f.author_id <> $1)
          and f.created_at > coalesce((select fr.read_at from feedback_reads fr where fr.user_id = $2 and fr.artefact_id = a.id), '-infinity'::timestamptz)
      ) as "unreadCount"
    from artefacts a
    join users owner on owner.id = a.owner_id
    where a.owner_id = $3 and a.deleted_at is null${extraWhere}
    order by a.created_at desc, a.id desc
    limit ${limitParam}`;

/** The statements by scope and first page / next page. */
const STATEMENTS = {
  all: selectSql('', '$4'),
  shared: selectSql(` and a.visibility = 'guardians'`, '$4'),
  allAfter: selectSql(' and (a.created_at, a.id) < ($4, $5)', '$6'),
  sharedAfter: selectSql(` and a.visibility = 'guardians' and (a.created_at, a.id) < ($4, $5)`, '$6'),
} as const;

const MEDIA_VARIANTS = ['original', 'display', 'thumb', 'poster'] as const;

interface MediaRow {
  id: string;
  kind: string;
  mime: string;
  size: number | string;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  variants: Partial<Record<(typeof MEDIA_VARIANTS)[number], string>>;
}

interface Row {
  id: string;
  ownerId: string;
  ownerName: string;
  projectId: string | null;
  phaseId: string | null;
  kind: string;
  title: string;
  bodyHtml: string;
  links: Array<{ url: string; title?: string }>;
  subjectCodes: string[];
  competenceIds: string[];
  goalIds: string[];
  tags: string[];
  status: string;
  visibility: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  readyAt: Date | null;
  media: MediaRow[];
  feedbackCount: number | null;
  unreadCount: number | null;
}

function present(row: Row) {
  return {
    id: row.id,
    owner: { id: row.ownerId, displayName: row.ownerName },
    projectId: row.projectId,
    phaseId: row.phaseId,
    kind: row.kind,
    title: row.title,
    bodyHtml: row.bodyHtml,
    links: row.links.map((l) => (l.title === undefined ? { url: l.url } : { url: l.url, title: l.title })),
    subjectCodes: row.subjectCodes,
    competenceIds: row.competenceIds,
    goalIds: row.goalIds,
    tags: row.tags,
    status: row.status,
    visibility: row.visibility,
    version: row.version,
    media: row.media.map((m) => {
      const urls: Record<string, string> = {};
      for (const variant of MEDIA_VARIANTS) if (m.variants[variant]) urls[variant] = `/api/media/${m.id}/${variant}`;
      return {
        id: m.id,
        kind: m.kind,
        mime: m.mime,
        size: Number(m.size),
        originalName: m.originalName,
        width: m.width,
        height: m.height,
        durationMs: m.durationMs,
        urls,
      };
    }),
    feedbackCount: row.feedbackCount ?? 0,
    unreadFeedbackCount: row.unreadCount ?? 0,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    readyAt: row.readyAt ? row.readyAt.toISOString() : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function serve(databaseUrl: string, poolSize: number, port: number): void {
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bare');
    const match = /^\/pupils\/([^/]+)\/artefacts$/.exec(url.pathname);
    const pupilId = match?.[1] ?? '';
    const viewerId = url.searchParams.get('viewer') ?? '';
    const scope = url.searchParams.get('scope') === 'shared' ? 'shared' : 'all';
    const limit = Number(url.searchParams.get('limit') ?? 20);
    if (!UUID.test(pupilId) || !UUID.test(viewerId)) return send(res, 404, '{"error":"not found"}');
    const cursor = url.searchParams.get('cursor');
    const [at = '', id = ''] = cursor ? Buffer.from(cursor, 'base64url').toString('utf8').split('|') : [];
    const name = cursor ? (scope === 'shared' ? 'sharedAfter' : 'allAfter') : scope;
    const values = cursor ? [viewerId, viewerId, pupilId, new Date(at), id, limit + 1] : [viewerId, viewerId, pupilId, limit + 1];
    pool.query<Row>({ name: `bare_${name}`, text: STATEMENTS[name], values }).then(
      ({ rows }) => {
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const nextCursor = rows.length > limit && last ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url') : null;
        send(res, 200, JSON.stringify({ items: page.map(present), nextCursor }));
      },
      (err: unknown) => send(res, 500, JSON.stringify({ error: String(err) })),
    );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}

if (process.argv[2] === '--serve') serve(process.argv[3] ?? '', Number(process.argv[4] ?? 10), Number(process.argv[5]));

export interface BareChild extends NodeChild {
  readonly port: number;
  readonly url: string;
  /** The path the bare server answers for this viewer's view of a pupil's first timeline page. */
  pathFor(pupilId: string, viewerId: string, scope: 'all' | 'shared', limit?: number): string;
}

/** Starts the bare server as its own process, with the same pool size as Polku's, and waits until it listens. */
export async function startBareTimeline(options: { databaseUrl: string; poolSize: number; label?: string }): Promise<BareChild> {
  const port = await freePort();
  const label = options.label ?? 'bare';
  // BENCH_BARE_NODE_ARGS: extra Node options for the bare server only (as BENCH_SERVER_NODE_ARGS for Polku's).
  const extra = (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawnNode(
    [...extra, ...TSX, path.join(import.meta.dirname, 'bare-timeline.ts'), '--serve', options.databaseUrl, String(options.poolSize), String(port)],
    {
      label,
    },
  );
  onCleanup(`stop ${label}`, () => proc.stop());
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`the bare server exited with ${proc.child.exitCode}:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`the bare server did not listen within 60 s:\n${proc.output()}`);
    if (proc.output().includes(`listening ${port}`)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    ...proc,
    port,
    url: `http://127.0.0.1:${port}`,
    pathFor: (pupilId, viewerId, scope, limit = 20) => `/pupils/${pupilId}/artefacts?limit=${limit}&viewer=${viewerId}&scope=${scope}`,
  };
}
