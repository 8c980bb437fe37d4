#!/usr/bin/env node
/**
 * `npm run dev`: the API server with reload (tsx watch, port 3000) and Vite's dev server
 * (port 5173, proxying /api and /socket.io to 3000) side by side, with prefixed output.
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP stops both; when either one exits, the other is stopped too.
 * Plain Node on purpose: no process-manager dependency for two processes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STOP_TIMEOUT_MS = 5000;
const tty = Boolean(process.stdout.isTTY);

// The CSRF guard compares Origin with PUBLIC_URL; in development the browser is on Vite's origin.
const serverEnv = { ...process.env, PUBLIC_URL: process.env.PUBLIC_URL || 'http://localhost:5173' };
if (process.env.PORT && process.env.PORT !== '3000') {
  console.warn(`[dev] PORT=${process.env.PORT}: Vite's proxy in vite.config.ts still targets port 3000`);
}
// Children write to pipes, not a terminal: keep their colours when ours is a terminal.
const colourEnv = tty && !process.env.NO_COLOR && !process.env.FORCE_COLOR ? { FORCE_COLOR: '1' } : {};

const children = [
  {
    name: 'server',
    colour: 36, // cyan
    args: [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'watch', '--clear-screen=false', 'server/main.ts'],
    env: { ...serverEnv, ...colourEnv },
  },
  {
    name: 'client',
    colour: 35, // magenta
    args: [path.join(ROOT, 'node_modules/vite/bin/vite.js')],
    env: { ...process.env, ...colourEnv },
  },
];

let stopping = false;
let exitCode = 0;

function prefix(child) {
  const label = `[${child.name}]`;
  return tty ? `\x1b[${child.colour}m${label}\x1b[0m ` : `${label} `;
}

function pipeLines(stream, out, child) {
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => out.write(`${prefix(child)}${line}\n`));
}

function alive(child) {
  return child.proc.exitCode === null && child.proc.signalCode === null;
}

/** Stop the children that still run; escalate to SIGKILL on the whole process group if one hangs. */
function stopAll(signal) {
  for (const child of children) {
    if (!alive(child)) continue;
    // tsx watch relays the signal to the server it runs and waits for it, so signal the leader only.
    child.proc.kill(signal);
    setTimeout(() => {
      if (!alive(child)) return;
      console.error(`[dev] ${child.name} did not stop within ${STOP_TIMEOUT_MS} ms, killing it`);
      killGroup(child, 'SIGKILL');
    }, STOP_TIMEOUT_MS).unref();
  }
}

function killGroup(child, signal) {
  try {
    process.kill(-child.proc.pid, signal);
  } catch {
    // The group is already gone.
  }
}

for (const child of children) {
  // stdin stays an open pipe: Vite stops when its stdin ends, which then happens only when we die.
  // Own process group (detached): a terminal's Ctrl-C reaches them once, through us, not twice.
  child.proc = spawn(process.execPath, child.args, { cwd: ROOT, env: child.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  child.proc.stdin.on('error', () => {});
  pipeLines(child.proc.stdout, process.stdout, child);
  pipeLines(child.proc.stderr, process.stderr, child);
  child.proc.on('error', (err) => {
    console.error(`[dev] could not start ${child.name}: ${err.message}`);
    if (!stopping) {
      stopping = true;
      exitCode = 1;
      stopAll('SIGTERM');
    }
  });
  child.proc.on('exit', (code, signal) => {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    console.log(`[dev] ${child.name} exited with ${how}`);
    if (!stopping) {
      // One side gone on its own: the pair is useless, stop the other and report its failure.
      stopping = true;
      exitCode = code ?? 1;
      stopAll('SIGTERM');
    }
    // Whatever the leader left behind in its group (e.g. the server under tsx watch) is a stray.
    killGroup(child, 'SIGKILL');
  });
  // 'close' comes after the output pipes drained, so the last lines are printed before we exit.
  child.proc.on('close', () => {
    child.closed = true;
    if (children.every((c) => c.closed)) process.exit(exitCode);
  });
}

// SIGHUP too: the children sit in their own process groups, so a closed terminal reaches only us.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (stopping) {
      // A second Ctrl-C: do not wait for graceful shutdown.
      for (const child of children) killGroup(child, 'SIGKILL');
      return;
    }
    stopping = true;
    // The server shuts down gracefully on SIGINT and SIGTERM only.
    stopAll(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}

// Last resort if this script dies on an exception: leave no server holding the ports.
process.on('exit', () => {
  for (const child of children) if (alive(child)) killGroup(child, 'SIGKILL');
});
