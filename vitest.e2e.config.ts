import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real server as a child process and Debian's Chromium through
 * playwright-core. Expects `dist/client` to be built first (`npx vite build`).
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // One server and one browser at a time: files share the machine's two cores and the demo data.
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
