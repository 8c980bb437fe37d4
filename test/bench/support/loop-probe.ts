/**
 * Preloaded into a benchmarked process (`node --import tsx --import ./test/bench/support/loop-probe.ts …`):
 * measures its event-loop delay and answers over the IPC channel, so a benchmark can tell whether
 * the process's one JavaScript thread was the limit. It changes nothing in the process it watches,
 * and does not keep it alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeStats {
  type: 'probe:stats';
  /**
   * Event-loop delay in ms since the last reset: how much later than due a 10 ms timer ran (the
   * histogram measures whole intervals; the 10 ms are subtracted). Under load this is the length
   * of one loop turn, i.e. how long a ready event may wait for the one JavaScript thread.
   */
  p50: number;
  p99: number;
  max: number;
  mean: number;
  rssMb: number;
}

const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();

if (process.send) {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'probe:reset') histogram.reset();
    if (message?.type === 'probe:stats') {
      const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      const stats: ProbeStats = {
        type: 'probe:stats',
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        mean: ms(histogram.mean),
        rssMb: process.memoryUsage().rss / 2 ** 20,
      };
      process.send?.(stats);
    }
  });
  // Listening refs the channel; the watched process must still exit as it would without us.
  process.channel?.unref();
}
