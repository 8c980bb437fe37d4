import type { Server as HttpServer } from 'node:http';
import type { SessionIdentity } from '../auth/session-cookie.ts';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { sessionRoom, userRoom } from '../../shared/realtime.ts';
import type { Notifier } from './notifier.ts';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface SocketData {
  userId: string;
  sessionId: string;
}

export interface RealtimeOptions {
  publicUrl: string;
  /** Origins a page may have besides PUBLIC_URL's (demo mode: this machine's own addresses). */
  allowedOrigins?: ReadonlySet<string>;
  /** The signed-in session behind a Cookie header, or null. */
  sessionOf(cookieHeader: string | undefined): Promise<SessionIdentity | null>;
  /** Whether the user may still use Polku (exists and is active). */
  isActiveUser(userId: string): Promise<boolean>;
  logger: Logger;
}

/**
 * Socket.IO on the HTTP server, authenticated by the same session cookie as the API.
 * A handshake without a signed-in session, or from another site's page, is refused.
 */
export function createRealtimeServer(httpServer: HttpServer, options: RealtimeOptions): RealtimeServer {
  const allowedOrigin = new URL(options.publicUrl).origin;
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    // Cross-site WebSocket hijacking: a browser always sends Origin; non-browser clients may omit it.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || origin === allowedOrigin || options.allowedOrigins?.has(origin) === true);
    },
  });
  io.use((socket, next) => {
    const identify = async () => {
      const identity = await options.sessionOf(socket.request.headers.cookie);
      return identity && (await options.isActiveUser(identity.userId)) ? identity : null;
    };
    identify().then(
      (identity) => {
        if (!identity) return next(new Error('unauthenticated'));
        socket.data = identity;
        next();
      },
      (err: unknown) => {
        options.logger.error({ err }, 'socket authentication failed');
        next(new Error('server_error'));
      },
    );
  });

  io.on('connection', async (socket) => {
    // The disconnect follows the event on the socket's own server, so it can never overtake it
    // (a disconnect sent through an adapter as its own message could).
    socket.onAnyOutgoing((event) => {
      if (event === 'session.ended') setImmediate(() => socket.disconnect(true));
    });
    await socket.join([userRoom(socket.data.userId), sessionRoom(socket.data.sessionId)]);
  });
  return io;
}

/** Publishes to rooms; with an adapter configured this reaches sockets on every server process. */
export function socketNotifier(io: RealtimeServer): Notifier {
  return {
    toUser(userId, event, payload) {
      // The event map's generics make emit's rest parameters hard to express for a generic E.
      (io.to(userRoom(userId)).emit as (e: string, p: unknown) => boolean)(event, payload);
    },
    endSessions(sessionIds, reason) {
      if (sessionIds.length === 0) return;
      // Each socket disconnects itself once this event has gone out (see onAnyOutgoing above).
      io.to(sessionIds.map(sessionRoom)).emit('session.ended', { reason });
    },
  };
}
