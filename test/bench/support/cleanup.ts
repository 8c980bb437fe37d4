/**
 * Clean-up that runs however a benchmark ends: normally (call runCleanups in finally), on Ctrl-C or
 * SIGTERM, or on an uncaught error. Last registered runs first (children stop before their database goes).
 */
const jobs: Array<{ name: string; run: () => Promise<unknown> | unknown }> = [];
let running: Promise<void> | null = null;

export function onCleanup(name: string, run: () => Promise<unknown> | unknown): void {
  jobs.push({ name, run });
}

export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (jobs.length > 0) {
      const job = jobs.pop();
      if (!job) break;
      try {
        await job.run();
      } catch (err) {
        console.error(`clean-up "${job.name}" failed:`, err);
      }
    }
  })();
  return running;
}

let installed = false;
/** Installs the signal and error handlers (once). */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up…`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
  process.on('uncaughtException', (err) => {
    console.error('uncaught error:', err);
    void runCleanups().finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (err) => {
    console.error('unhandled rejection:', err);
    void runCleanups().finally(() => process.exit(1));
  });
}
