import type { Page } from 'playwright-core';

/** Resolves when the page's realtime connection is up (its Socket.IO connect packet, "40…"). Call before navigating. */
export function socketConnected(page: Page): Promise<void> {
  return new Promise((resolve) =>
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (String(payload).startsWith('40')) resolve();
      }),
    ),
  );
}
