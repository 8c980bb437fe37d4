/**
 * Child processes for benchmarks: spawning Node with a raised open-files limit, and reading what
 * the kernel says about a process (open files, CPU time) from /proc, so that a benchmark can tell
 * what limited it. Linux only, like the machines the benchmarks run on.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const TSX = ['--import', 'tsx'];

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface NodeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last lines the process wrote (stdout and stderr), for error reports. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node …args` through `sh -c 'ulimit -n …; exec node …'`, so the new process starts with
 * the open-files limit raised: to `nofile` when the hard limit allows it (or when we may raise the
 * hard limit, as root with CAP_SYS_RESOURCE), else to the hard limit. `exec` keeps the pid, so
 * /proc/<pid> is the Node process itself. With `ipc`, the IPC channel is fd 3 (sh passes it on).
 */
export function spawnNode(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; nofile?: number; ipc?: boolean; label: string; cwd?: string },
): NodeChild {
  const nofile = options.nofile ?? 65536;
  const script = `ulimit -n ${nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  const child = spawn('sh', ['-c', script, 'sh', process.execPath, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${options.label}`);
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 60) tail.splice(0, tail.length - 60);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const pid = child.pid;
  return {
    child,
    pid,
    output: () => tail.map((l) => `  [${options.label}] ${l}`).join('\n'),
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The soft open-files limit of a running process, from /proc/<pid>/limits. */
export function openFilesLimit(pid: number): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft = NaN, hard = NaN] = (line?.match(/\d+|unlimited/g) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft, hard };
}

/** Open file descriptors of a process, and how many of them are sockets. */
export function openFds(pid: number): { total: number; sockets: number } {
  const dir = `/proc/${pid}/fd`;
  let total = 0;
  let sockets = 0;
  for (const fd of readdirSync(dir)) {
    total++;
    try {
      if (readlinkSync(path.join(dir, fd)).startsWith('socket:')) sockets++;
    } catch {
      // closed while we looked
    }
  }
  return { total, sockets };
}

/** User + system CPU seconds a process has used (0 if it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by each PostgreSQL server process, by pid: the backends serving
 * `database` (all backends when not given) and the shared helpers (WAL writer, checkpointer …).
 * Backends of other databases are left out: on a shared machine they are someone else's work.
 */
export function postgresCpuSeconds(database?: string): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      // A backend's title is "postgres: 15/main: <user> <database> <client address> <state>".
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const backend = /: \S+ (\S+) (\[local\]|[\d.:a-f]+\(\d+\))/.exec(title);
      if (database && backend && backend[1] !== database) continue;
    } catch {
      continue;
    }
    byPid.set(Number(entry), cpuSeconds(Number(entry)));
  }
  return byPid;
}

/** CPU PostgreSQL used between two readings: processes that started in between count from zero; those that ended are missed. */
function postgresDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += Math.max(0, seconds - (before.get(pid) ?? 0));
  return total;
}

/** Machine-wide busy and total CPU seconds (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

export interface CpuReport {
  /** Per named process: share of one core, in percent. */
  readonly processes: Record<string, number>;
  /** PostgreSQL (the benchmark database's backends and the shared helpers), percent of one core. */
  readonly postgres: number;
  /** The whole machine, percent of one core (so 200 % on two cores is everything). */
  readonly machine: number;
  /** Machine minus the named processes and PostgreSQL: other work on the machine during the measurement. */
  readonly other: number;
  readonly cores: number;
  /** Length of the measurement. */
  readonly seconds: number;
}

/** Measures CPU use of named processes, PostgreSQL and the machine between start() and the returned stop(). */
export function cpuMeter(pids: Record<string, number>, database?: string): () => CpuReport {
  const started = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const pgBefore = postgresCpuSeconds(database);
  const machineBefore = machineCpuSeconds();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const pct = (s: number) => (100 * s) / seconds;
    const processes = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pct(cpuSeconds(pid) - (before[name] ?? 0))]));
    const postgres = pct(postgresDelta(pgBefore, postgresCpuSeconds(database)));
    const m = machineCpuSeconds();
    const machine = pct(m.busy - machineBefore.busy);
    const cores = Math.round((m.total - machineBefore.total) / seconds) || 1;
    const other = Math.max(0, machine - postgres - Object.values(processes).reduce((a, b) => a + b, 0));
    return { processes, postgres, machine, other, cores, seconds };
  };
}

export function formatCpu(report: CpuReport): string {
  const parts = Object.entries(report.processes).map(([name, v]) => `${name} ${v.toFixed(0)}%`);
  parts.push(`postgres ${report.postgres.toFixed(0)}%`, `other ${report.other.toFixed(0)}%`, `machine ${report.machine.toFixed(0)}% of ${report.cores * 100}%`);
  return parts.join(', ');
}

/**
 * Sends a message to a worker spawned with `ipc` and waits for its reply of `replyType`; a reply of
 * type 'error', the worker's exit or (with `timeoutMs`) the time running out rejects instead.
 */
export function ask<T>(worker: NodeChild, message: object, replyType: string, options: { label: string; timeoutMs?: number }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { label, timeoutMs } = options;
    const timer =
      timeoutMs === undefined ? undefined : setTimeout(() => done(new Error(`no "${replyType}" from ${label} within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (m: { type?: string; error?: string }) => {
      if (m?.type === 'error') done(new Error(m.error));
      else if (m?.type === replyType) done(null, m as T);
    };
    const onExit = () => done(new Error(`${label} exited:\n${worker.output()}`));
    function done(err: Error | null, value?: T) {
      clearTimeout(timer);
      worker.child.off('message', onMessage);
      worker.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    worker.child.on('message', onMessage);
    worker.child.once('exit', onExit);
    worker.child.send(message);
  });
}
