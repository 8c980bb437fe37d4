import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import type { SchoolRole } from '../../../../../shared/roles.ts';
import { rolesOf, useSession } from '../session.ts';

/** A role's pages are for that role only; others land on their own home page. */
export function RequireRole({ role, children }: { role: SchoolRole; children: ReactNode }) {
  const me = useSession();
  if (!rolesOf(me).includes(role)) return <Navigate to="/" replace />;
  return children;
}
