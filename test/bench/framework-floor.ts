/**
 * The web stack's own floor, without a database: how many requests per second, at what CPU per
 * request, a server answers when each request only writes the same 20-item JSON page (the size of a
 * timeline page), built with node:http alone, with Express 5, with Express and helmet as Polku
 * configures it, and with Polku's whole /api middleware chain in front (request id and logger,
 * helmet, JSON body parser, same-origin guard, the session reader finding no cookie, a declared
 * route with zod-checked params and query). The ratios against node:http in the same run say how
 * much of the timeline benchmark's gap (bench:timeline: Polku ÷ bare) the decided stack costs
 * before Polku does any work of its own.
 *
 * Run: npm run bench:floor   (RUNS=3 DURATION_S=5 WARMUP_S=2 CLIENTS=32)
 */
import express from 'express';
import helmet from 'helmet';
import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { freePort } from '../helpers/free-port.ts';
import { requestLogger } from '../../server/http/request-log.ts';
import { sameOriginGuard } from '../../server/http/same-origin.ts';
import { mountRoutes, route } from '../../server/http/route.ts';
import { installCleanupHandlers, onCleanup, runCleanups } from './support/cleanup.ts';
import { getRequest, runClosedLoop } from './support/loadgen.ts';
import { cpuSeconds, spawnNode, TSX } from './support/proc.ts';
import { median, table } from './support/stats.ts';

const KINDS = ['node:http', 'express', 'express+helmet', "Polku's /api chain"] as const;
type Kind = (typeof KINDS)[number];
const RUNS = Number(process.env.RUNS ?? 3);
const DURATION_S = Number(process.env.DURATION_S ?? 5);
const WARMUP_S = Number(process.env.WARMUP_S ?? 2);
const CLIENTS = Number(process.env.CLIENTS ?? 32);
const PUPIL = '0b6f3c1e-2a44-4c55-8d66-7e8f9a0b1c2d';

/** A timeline-sized page (about 15 KiB), built afresh per request as a presenter would. */
function page() {
  return {
    items: Array.from({ length: 20 }, (_, i) => ({
      id: `3f2a${String(i).padStart(4, '0')}-1b2c-4d5e-8f90-a1b2c3d4e5f6`,
      owner: { id: PUPIL, displayName: 'Aino Oppilas' },
      projectId: 'c4d5e6f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      phaseId: null,
      kind: 'text',
      title: `Vesiprojektin havainnot ${i}`,
      bodyHtml: `<p>${'Tutkimme järven veden laatua ja kirjasimme havainnot taulukkoon. '.repeat(3)}</p>`,
      links: [],
      subjectCodes: ['BI', 'GE'],
      competenceIds: ['L1', 'L4'],
      goalIds: [],
      tags: ['vesi', 'tutkimus'],
      status: 'ready',
      visibility: 'guardians',
      version: 3,
      media: [],
      feedbackCount: 2,
      unreadFeedbackCount: 1,
      createdAt: new Date(Date.UTC(2026, 10, 1, 8, i)).toISOString(),
      updatedAt: new Date(Date.UTC(2026, 10, 2, 8, i)).toISOString(),
      readyAt: new Date(Date.UTC(2026, 10, 2, 9, i)).toISOString(),
    })),
    nextCursor: 'MjAyNi0xMS0wMVQwODowMDowMC4wMDBafDNmMmEwMDAw',
  };
}

function serve(kind: Kind, port: number): void {
  let listener: http.RequestListener;
  if (kind === 'node:http') {
    listener = (_req, res) => {
      const body = JSON.stringify(page());
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
  } else {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    if (kind === "Polku's /api chain") app.use(requestLogger(pino({ level: 'warn' }), { ignore: () => false }));
    if (kind !== 'express') app.use(helmet({ hsts: false }));
    if (kind === "Polku's /api chain") {
      const api = express.Router();
      api.use(express.json({ limit: '1mb' }));
      api.use(sameOriginGuard(`http://127.0.0.1:${port}`, false));
      // The session reader with no cookie: what every request pays before it looks anything up.
      api.use((req, _res, next) => {
        req.actor = null;
        next();
      });
      mountRoutes(
        api,
        [
          route({
            method: 'get',
            path: '/api/pupils/:pupilId/artefacts',
            summary: 'floor',
            tag: 'floor',
            auth: 'public',
            params: z.object({ pupilId: z.uuid() }),
            query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
            presented: true,
            handler: async () => page(),
          }),
        ],
        '/api',
      );
      app.use('/api', api);
    } else {
      app.get('/api/pupils/:pupilId/artefacts', (_req, res) => {
        res.json(page());
      });
    }
    listener = app;
  }
  http.createServer(listener).listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
}

async function start(kind: Kind) {
  const port = await freePort();
  const proc = spawnNode([...TSX, path.join(import.meta.dirname, 'framework-floor.ts'), '--serve', kind, String(port)], { label: kind });
  onCleanup(`stop ${kind}`, () => proc.stop());
  const deadline = Date.now() + 60_000;
  while (!proc.output().includes(`listening ${port}`)) {
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`${kind} did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { kind, port, pid: proc.pid };
}

async function main() {
  installCleanupHandlers();
  const servers = [];
  for (const kind of KINDS) servers.push(await start(kind));
  const results = new Map<Kind, Array<{ rps: number; cpuMs: number }>>(KINDS.map((k) => [k, []]));
  const ratios = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  console.log(
    `framework floor, node ${process.version}: ${CLIENTS} keep-alive connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per server, ${RUNS} rounds`,
  );
  for (let round = 1; round <= RUNS; round++) {
    const order = round % 2 === 1 ? servers : [...servers].reverse();
    const byKind = new Map<Kind, number>();
    for (const server of order) {
      const requests = Array.from({ length: CLIENTS }, () => getRequest(server.port, `/api/pupils/${PUPIL}/artefacts?limit=20`));
      await runClosedLoop({ port: server.port, requests, warmupMs: WARMUP_S * 1000, durationMs: 200 });
      const cpuBefore = cpuSeconds(server.pid);
      const result = await runClosedLoop({ port: server.port, requests, warmupMs: 0, durationMs: DURATION_S * 1000 });
      const cpuMs = ((cpuSeconds(server.pid) - cpuBefore) * 1000) / Math.max(1, result.completed);
      const rps = result.completed / DURATION_S;
      results.get(server.kind)?.push({ rps, cpuMs });
      byKind.set(server.kind, rps);
      console.log(
        `  round ${round} ${server.kind.padEnd(20)} ${Math.round(rps)} req/s, CPU/request ${cpuMs.toFixed(3)} ms, errors ${Object.values(result.errors).reduce((a, b) => a + b, 0)}`,
      );
    }
    const base = byKind.get('node:http') ?? 1;
    for (const kind of KINDS) ratios.get(kind)?.push((byKind.get(kind) ?? 0) / base);
  }
  console.log(`\nmedians of ${RUNS} rounds`);
  console.log(
    table([
      ['server', 'req/s', '÷ node:http (per round)', 'CPU/request'],
      ...KINDS.map((kind) => {
        const rows = results.get(kind) ?? [];
        const r = ratios.get(kind) ?? [];
        return [
          kind,
          String(Math.round(median(rows.map((x) => x.rps)))),
          `${median(r).toFixed(3)} (${r.map((x) => x.toFixed(2)).join(' / ')})`,
          `${median(rows.map((x) => x.cpuMs)).toFixed(3)} ms`,
        ];
      }),
    ]),
  );
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3] as Kind, Number(process.argv[4]));
} else {
  main()
    .catch((err: unknown) => {
      console.error('uncaught error:', err);
      process.exitCode = 1;
    })
    .finally(() => runCleanups());
}
