/**
 * Summarises a V8 CPU profile of the server (from `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=…'`):
 * where the busy time went, by kind of work (socket writes to PostgreSQL and of responses, row parsing,
 * GC, Express, the session, …), then self time by module and by function. Idle time and start-up
 * (module loading) are left out, so the shares are of the time spent serving.
 *
 * Run: node --import tsx test/bench/support/profile-summary.ts /tmp/prof/CPU.….cpuprofile [top=25]
 *
 * The profiler samples the thread's stack on a timer: time the process spent descheduled inside a
 * system call (a busy machine) counts towards that call, so read the writev lines with the machine's
 * other load in mind.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Kinds of work, tried in order on the sampled stack (innermost frame first). */
const KINDS: ReadonlyArray<{ name: string; test: (self: ProfileNode, stack: readonly ProfileNode[]) => boolean }> = [
  { name: 'GC', test: (self) => self.callFrame.functionName === '(garbage collector)' },
  {
    name: 'socket writes to PostgreSQL (writev)',
    test: (self, stack) => /^writev/.test(self.callFrame.functionName) && stack.some((n) => /node_modules\/pg\//.test(n.callFrame.url)),
  },
  { name: 'socket writes of HTTP responses (writev)', test: (self) => /^writev/.test(self.callFrame.functionName) },
  {
    name: 'pg: reading and parsing result rows',
    test: (self, stack) =>
      stack.some((n) => /pg-protocol/.test(n.callFrame.url)) || /node_modules\/(pg|pg-pool|pg-types|postgres-date|postgres-array)\//.test(self.callFrame.url),
  },
  { name: 'query layer (kysely, db/prepared.ts)', test: (self) => /kysely|db\/prepared/.test(self.callFrame.url) },
  { name: 'express-session, cookies, crypto', test: (self) => /express-session|cookie-signature|node_modules\/cookie\/|crypto/.test(self.callFrame.url) },
  { name: 'passport', test: (self) => /passport/.test(self.callFrame.url) },
  { name: 'zod', test: (self) => /zod/.test(self.callFrame.url) },
  { name: 'helmet', test: (self) => /helmet/.test(self.callFrame.url) },
  { name: 'request logger, pino', test: (self) => /request-log|log-redaction|pino/.test(self.callFrame.url) },
  { name: 'JSON.stringify', test: (self) => self.callFrame.functionName === 'stringify' },
  { name: 'Polku server code', test: (self) => /\/server\//.test(self.callFrame.url) && !/node_modules/.test(self.callFrame.url) },
  {
    name: 'express, router and helpers',
    test: (self) =>
      /node_modules\/(express|router|body-parser|send|on-headers|on-finished|finalhandler|parseurl|fresh|content-type|qs|type-is|mime)/.test(
        self.callFrame.url,
      ),
  },
  { name: 'node: http, streams, events, buffers', test: (self) => /^node:/.test(self.callFrame.url) },
];

const moduleOf = (url: string) =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.replace(/^file:\/\/.*?\/(server|shared|test)\//, '$1/') || '(native)');
const isStartUp = (n: ProfileNode) =>
  /module_job|Module\._load|loadAndTranslate/.test(n.callFrame.functionName) || (n.callFrame.functionName === 'register' && /esm/.test(n.callFrame.url));

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

const timeOf = new Map<number, number>();
profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const kinds = new Map<string, number>();
const modules = new Map<string, number>();
const functions = new Map<string, number>();
const add = (map: Map<string, number>, key: string, t: number) => map.set(key, (map.get(key) ?? 0) + t);
let serving = 0;
let startUp = 0;
for (const [id, t] of timeOf) {
  const stack: ProfileNode[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const node = byId.get(at);
    if (node) stack.push(node);
  }
  const self = stack[0];
  if (!self || self.callFrame.functionName === '(idle)') continue;
  if (stack.some(isStartUp)) {
    startUp += t;
    continue;
  }
  serving += t;
  add(kinds, KINDS.find((k) => k.test(self, stack))?.name ?? 'other', t);
  add(modules, moduleOf(self.callFrame.url), t);
  add(functions, `${self.callFrame.functionName || '(anonymous)'}  ${moduleOf(self.callFrame.url)}:${self.callFrame.lineNumber + 1}`, t);
}

const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [key, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * t) / serving).toFixed(1).padStart(6)} %  ${key}`);
};
console.log(`${file}: ${(serving / 1e6).toFixed(1)} s serving, ${(startUp / 1e6).toFixed(1)} s start-up (left out), idle left out`);
print('by kind of work (% of serving time)', kinds, KINDS.length + 1);
print('self time by module', modules, top);
print('self time by function', functions, top);
