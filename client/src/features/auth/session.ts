import { createContext, useContext } from 'react';
import type { MeResponse } from '../../../../shared/api/auth.ts';
import type { SchoolRole } from '../../../../shared/roles.ts';

/** The signed-in user; provided by RequireSession, so pages below it never see `null`. */
export const SessionContext = createContext<MeResponse | null>(null);

export function useSession(): MeResponse {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession() used outside <RequireSession>');
  return me;
}

/** Home pages in the order a user with several roles lands on them. */
export const ROLE_ORDER: readonly SchoolRole[] = ['admin', 'teacher', 'guardian', 'pupil'];

/** The user's distinct roles across schools, in ROLE_ORDER. */
export function rolesOf(me: MeResponse): SchoolRole[] {
  const held = new Set(me.roles.map((r) => r.role));
  return ROLE_ORDER.filter((role) => held.has(role));
}

export const homePath = (role: SchoolRole) => `/${role}`;
