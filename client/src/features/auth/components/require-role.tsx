import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import type { SchoolRole } from '../../../../../shared/roles.ts';
import { rolesOf, useSession } from '../session.ts';

/** A role's pages are for that role (or one of several) only; others land on their own home page. */
export function RequireRole({ role, children }: { role: SchoolRole | readonly SchoolRole[]; children: ReactNode }) {
  const me = useSession();
  const wanted: readonly SchoolRole[] = typeof role === 'string' ? [role] : role;
  if (!rolesOf(me).some((r) => wanted.includes(r))) return <Navigate to="/" replace />;
  return children;
}
