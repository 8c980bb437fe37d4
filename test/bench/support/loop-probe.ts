/**
 * Preloaded into a benchmarked process (`node --import tsx --import ./test/bench/support/loop-probe.ts …`):
 * measures its event-loop delay and answers over the IPC channel, so a benchmark can tell whether
 * the process's one JavaScript thread was the limit. It changes nothing in the process it watches,
 * and does not keep it alive.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeStats {
  type: 'probe:stats';
  /** Event-loop delay in ms since the last reset (10 ms sampling resolution). */
  p50: number;
  p99: number;
  max: number;
  mean: number;
  rssMb: number;
}

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

if (process.send) {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'probe:reset') histogram.reset();
    if (message?.type === 'probe:stats') {
      const ms = (ns: number) => ns / 1e6;
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
