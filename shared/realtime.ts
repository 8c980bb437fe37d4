import type { MeResponse } from './api/auth.ts';

/** Events the server sends. Payloads are presenter outputs, the same shapes as the HTTP API. */
export interface ServerToClientEvents {
  /** The signed-in user's profile or roles changed (e.g. an admin edited them). */
  'me.updated': (payload: MeResponse) => void;
  /** This session was ended (signed out elsewhere or the account was deactivated). */
  'session.ended': (payload: { reason: 'signed_out' | 'deactivated' }) => void;
}

/** Events the client may send. None yet: clients change data through the HTTP API. */
export type ClientToServerEvents = Record<string, never>;

export const userRoom = (userId: string) => `user:${userId}`;
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
