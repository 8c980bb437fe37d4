import { ConfigError, loadConfig } from './config.ts';
import { DEMO_PASSWORD, DEMO_USERNAMES } from './seed/demo-school.ts';
import { startPolku } from './server.ts';

/** Entry point: the only place that reads process.env. */
async function main(): Promise<void> {
  const started = performance.now();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  const polku = await startPolku(config);
  const { logger } = polku;
  const where = config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dir}` : 'PostgreSQL';
  const media = config.storage.kind === 'local' ? `local folder ${config.storage.dir}` : `S3 bucket ${config.storage.bucket}`;
  logger.info({ url: config.publicUrl, database: where, media, ms: Math.round(performance.now() - started) }, 'Polku is ready');

  // Humans read this; the log line above is for machines.
  const lines = [`\n  Polku is running at ${config.publicUrl}`, `  database: ${where}`, `  media: ${media}`];
  if (config.demo) {
    lines.push(`  demo sign-ins (password ${DEMO_PASSWORD}): ${DEMO_USERNAMES.join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    polku.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('Polku failed to start:', err);
  process.exit(1);
});
