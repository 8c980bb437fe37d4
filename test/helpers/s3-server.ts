import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`; use with `forcePathStyle: true`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

const BUCKET = 'polku-test';

// Runs in the child: starts s3rver, prints its port, and stops when the parent closes stdin
// (also when the parent dies), so no server outlives the test run.
const CHILD_SCRIPT = `
const S3rver = require(process.argv[1]);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.argv[2],
  configureBuckets: [{ name: process.argv[3] }],
});
server.run().then(({ port }) => {
  process.stdout.write(JSON.stringify({ port }) + '\\n');
});
process.stdin.resume();
process.stdin.on('end', () => {
  server.httpServer.closeAllConnections();
  server.close().finally(() => process.exit(0));
});
`;

/**
 * A real S3-protocol server (s3rver) on 127.0.0.1, port 0, in a fresh temp folder, with one bucket.
 * It runs in a child process, as S3 would: its buffers and event loop stay out of the test's
 * process, so memory measurements there see only our code.
 */
export async function startS3Server(): Promise<S3TestServer> {
  const s3rverPath = createRequire(import.meta.url).resolve('s3rver');
  const directory = await mkdtemp(path.join(tmpdir(), 'polku-s3rver-'));
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, s3rverPath, directory, BUCKET], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  try {
    const port = await readPort(child.stdout, exited);
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket: BUCKET,
      region: 'us-east-1',
      // s3rver knows only these credentials.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      async close() {
        if (child.exitCode === null) {
          child.stdin.end();
          await exited;
        }
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (err) {
    child.kill();
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
}

async function readPort(stdout: NodeJS.ReadableStream, exited: Promise<unknown>): Promise<number> {
  const lines = createInterface({ input: stdout });
  const ready = (async () => {
    for await (const line of lines) {
      if (!line.startsWith('{')) continue;
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && 'port' in parsed && typeof parsed.port === 'number') {
        return parsed.port;
      }
    }
    throw new Error('s3rver stopped before it was ready');
  })();
  return Promise.race([
    ready,
    exited.then(() => {
      throw new Error('s3rver exited before it was ready');
    }),
  ]);
}
