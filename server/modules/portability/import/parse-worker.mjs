// The parse pool's worker thread (see parse-pool.ts). Plain JavaScript, because Node starts a
// worker's entry file itself: neither `node --import tsx` nor a worker's execArgv makes it load a
// .ts entry. tsx's register() then lets this thread import the TypeScript tasks, under the server,
// the CLI and vitest alike.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runParseTask } = await import('./parse-tasks.ts');
const { ImportRejected } = await import('./import-rejected.ts');

parentPort.on('message', ({ id, task }) => {
  try {
    parentPort.postMessage({ id, ok: true, value: runParseTask(task) });
  } catch (err) {
    const error =
      err instanceof ImportRejected
        ? { rejected: true, code: err.code, params: err.params, message: err.message }
        : { rejected: false, message: err instanceof Error ? err.message : String(err) };
    parentPort.postMessage({ id, ok: false, error });
  }
});
parentPort.postMessage({ ready: true });
