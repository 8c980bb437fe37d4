import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import type { TestClient } from './test-client.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Real Socket.IO clients on a test app, one per signed-in TestClient (its session cookie), that record every
 * event they hear. `closeAll` in the file's afterAll disconnects them.
 */
export function liveListeners(url: () => string) {
  const sockets: LiveSocket[] = [];
  return {
    async listen(client: TestClient) {
      const socket: LiveSocket = io(url(), {
        transports: ['websocket'],
        extraHeaders: { cookie: client.cookieHeader },
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      const events: Array<{ event: string; payload: unknown }> = [];
      socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return { socket, named: (event: string) => events.filter((e) => e.event === event).map((e) => e.payload) };
    },
    closeAll() {
      for (const s of sockets.splice(0)) s.disconnect();
    },
  };
}
