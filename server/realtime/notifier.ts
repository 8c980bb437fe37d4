import type { ServerToClientEvents } from '../../shared/realtime.ts';

export type EventName = keyof ServerToClientEvents;
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * How services publish realtime events. Call it only after the transaction has committed,
 * so that no client ever hears of a change that was rolled back.
 */
export interface Notifier {
  toUser<E extends EventName>(userId: string, event: E, payload: EventPayload<E>): void;
  /** Tells the session's sockets why it ended, then disconnects them. */
  endSessions(sessionIds: readonly string[], reason: EventPayload<'session.ended'>['reason']): void;
}

/** For commands that run without a server (seed, CLI). */
export const silentNotifier: Notifier = {
  toUser: () => undefined,
  endSessions: () => undefined,
};
