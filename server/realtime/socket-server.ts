import type { Server as HttpServer } from 'node:http';
import type { Actor } from '../auth/actor.ts';
import { hearsEvent } from '../auth/policy.ts';
import type { SessionIdentity } from '../auth/session-cookie.ts';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SessionEndReason } from '../../shared/realtime.ts';
import { sessionRoom, userRoom } from '../../shared/realtime.ts';
import type { EventName, Notifier } from './notifier.ts';

/** What the deployment's server processes tell each other (through the adapter). */
export interface InterServerEvents {
  /** Forget cached sessions and users: something they depend on may have changed. */
  'sessions.forget': () => void;
  /** An event for a user's card-session sockets: each process lets through what each of its own may hear. */
  'card.event': (userId: string, event: EventName, payload: unknown) => void;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SocketData {
  userId: string;
  sessionId: string;
  /** The school of the sign-in card that opened the session, or null (issue 11 §3). */
  cardSchoolId: string | null;
}

export interface RealtimeOptions {
  publicUrl: string;
  /** Origins a page may have besides PUBLIC_URL's (demo mode: this machine's own addresses). */
  allowedOrigins?: ReadonlySet<string>;
  /** The signed-in session behind a Cookie header, or null. */
  sessionOf(cookieHeader: string | undefined): Promise<SessionIdentity | null>;
  /**
   * The session's actor exactly as its HTTP requests get it (a card session's narrowed by the policy's
   * narrowForCard), or null when the user may no longer use Polku (gone or deactivated).
   */
  actorOf(identity: SessionIdentity): Promise<Actor | null>;
  /** When the session expires (it slides with use), or null when it is gone. */
  sessionExpiry(sessionId: string): Promise<Date | null>;
  /** Ends the session if it has expired, telling its sockets in every process. */
  endIfExpired(sessionId: string): Promise<unknown>;
  logger: Logger;
}

// setTimeout's longest delay; a later expiry is simply checked again then.
const MAX_TIMER_MS = 2 ** 31 - 1;

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
      const actor = identity && (await options.actorOf(identity));
      return identity && actor ? { identity, actor } : null;
    };
    identify().then(
      (found) => {
        if (!found) return next(new Error('unauthenticated'));
        socket.data = { userId: found.identity.userId, sessionId: found.identity.sessionId, cardSchoolId: found.actor.cardSchoolId ?? null };
        socketActors.set(socket, found.actor);
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
    // (a disconnect sent through an adapter as its own message could). Leaving the rooms at once
    // means nothing reaches the socket after the session ended, not even a second `session.ended`
    // from another path that ended the same session.
    socket.onAnyOutgoing((event) => {
      if (event !== 'session.ended') return;
      for (const room of [...socket.rooms]) if (room !== socket.id) void socket.leave(room);
      setImmediate(() => socket.disconnect(true));
    });
    // A card session's socket is not in its user's room, which hears everything addressed to the account:
    // it hears through its own room, filtered by its narrowed actor (see socketNotifier).
    const ownRoom = socket.data.cardSchoolId ? cardRoom(socket.data.userId) : userRoom(socket.data.userId);
    await socket.join([ownRoom, sessionRoom(socket.data.sessionId)]);
    watchExpiry(socket, options);
  });
  io.on('card.event', (userId, event, payload) => toCardSockets(io, userId, event, payload));
  return io;
}

/** The actor each socket of this process was authenticated as (built once, at the handshake). */
const socketActors = new WeakMap<RealtimeSocket, Actor>();

/** The room of a user's card-session sockets; never emitted to as a whole. */
const cardRoom = (userId: string) => `card:${userId}`;

/** Gives this process's card-session sockets of the user the event, each only if its actor may hear it (policy.ts hearsEvent). */
function toCardSockets(io: RealtimeServer, userId: string, event: EventName, payload: unknown): void {
  for (const id of io.sockets.adapter.rooms.get(cardRoom(userId)) ?? []) {
    const socket = io.sockets.sockets.get(id);
    const actor = socket && socketActors.get(socket);
    if (!socket || !actor || !hearsEvent(actor, event, payload as never)) continue;
    (socket.emit as (e: string, p: unknown) => boolean)(event, payload);
  }
}

type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * A socket never outlives its session, even if nobody prunes: at the session's expiry the socket's server
 * looks again (use slides the expiry), and if it has passed, ends the socket and the session everywhere.
 * Checked once right after joining the rooms too, so a session ended during the handshake is not missed.
 */
function watchExpiry(socket: RealtimeSocket, options: RealtimeOptions): void {
  let timer: NodeJS.Timeout | undefined;
  const end = (reason: SessionEndReason) => {
    if (socket.connected) socket.emit('session.ended', { reason });
  };
  const check = async () => {
    const expiresAt = await options.sessionExpiry(socket.data.sessionId);
    if (!socket.connected) return;
    // Gone: whoever ended it has told the session's sockets, unless that happened before this one joined.
    if (!expiresAt) return end('signed_out');
    const left = expiresAt.getTime() - Date.now();
    if (left > 0) {
      timer = setTimeout(run, Math.min(left, MAX_TIMER_MS));
      return;
    }
    end('expired');
    await options.endIfExpired(socket.data.sessionId);
  };
  const run = () => {
    check().catch((err: unknown) => options.logger.warn({ err }, 'session expiry check failed'));
  };
  socket.on('disconnect', () => clearTimeout(timer));
  run();
}

/**
 * Publishes to rooms; with an adapter configured (`crossProcess`) this reaches sockets on every server process.
 * A user's card-session sockets get the event one by one, from their own process, as their actors may hear it.
 */
export function socketNotifier(io: RealtimeServer, { crossProcess }: { crossProcess: boolean }): Notifier {
  return {
    toUser(userId, event, payload) {
      // The event map's generics make emit's rest parameters hard to express for a generic E.
      (io.to(userRoom(userId)).emit as (e: string, p: unknown) => boolean)(event, payload);
      toCardSockets(io, userId, event, payload);
      if (crossProcess) io.serverSideEmit('card.event', userId, event, payload);
    },
    endSessions(sessionIds, reason) {
      if (sessionIds.length === 0) return;
      // Each socket disconnects itself once this event has gone out (see onAnyOutgoing above).
      io.to(sessionIds.map(sessionRoom)).emit('session.ended', { reason });
    },
  };
}
