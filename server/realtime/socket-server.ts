import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
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

type SessionRequest = IncomingMessage & { session?: { passport?: { user?: string } }; sessionID?: string };

export interface RealtimeOptions {
  publicUrl: string;
  sessionMiddleware: RequestHandler;
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
      callback(null, origin === undefined || origin === allowedOrigin);
    },
  });
  io.engine.use(options.sessionMiddleware);

  io.use((socket, next) => {
    const req = socket.request as SessionRequest;
    const userId = req.session?.passport?.user;
    const sessionId = req.sessionID;
    if (!userId || !sessionId) return next(new Error('unauthenticated'));
    options.isActiveUser(userId).then(
      (active) => {
        if (!active) return next(new Error('unauthenticated'));
        socket.data = { userId, sessionId };
        next();
      },
      (err: unknown) => {
        options.logger.error({ err }, 'socket authentication failed');
        next(new Error('server_error'));
      },
    );
  });

  io.on('connection', async (socket) => {
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
      const rooms = sessionIds.map(sessionRoom);
      io.to(rooms).emit('session.ended', { reason });
      io.in(rooms).disconnectSockets(true);
    },
  };
}
