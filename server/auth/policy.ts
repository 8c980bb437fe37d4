import { Forbidden, NotFound } from '../http/errors.ts';
import type { SchoolRole } from '../../shared/roles.ts';
import type { Actor } from './actor.ts';

/**
 * Who may do what, in one place. Services load the resource's facts (ids, school ids) and ask
 * `authorize`; list queries take their scope from the helpers below. Routes never check roles.
 */
export type Resource =
  | { readonly type: 'school'; readonly schoolId: string }
  | { readonly type: 'group'; readonly schoolId: string; readonly groupId: string }
  | { readonly type: 'user'; readonly userId: string; readonly schoolIds: readonly string[] }
  | { readonly type: 'platform' };

type ResourceOf<T extends Resource['type']> = Extract<Resource, { type: T }>;

const rules = {
  'school.create': (a: Actor) => hasRole(a, 'admin'),
  'school.read': (a: Actor, r: ResourceOf<'school'>) => memberOf(a, r.schoolId),
  'school.update': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'group.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId) || roleAt(a, r.schoolId, 'teacher'),
  'group.create': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'group.read': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId) || a.teacherGroupIds.has(r.groupId),
  'group.update': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId),
  'group.members.manage': (a: Actor, r: ResourceOf<'group'>) => adminOf(a, r.schoolId),
  'user.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'user.create': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  'user.read': (a: Actor, r: ResourceOf<'user'>) => a.id === r.userId || r.schoolIds.some((s) => adminOf(a, s)),
  'user.update': (a: Actor, r: ResourceOf<'user'>) => r.schoolIds.some((s) => adminOf(a, s)),
  'guardianLink.list': (a: Actor, r: ResourceOf<'school'>) => adminOf(a, r.schoolId),
  /** Linking a guardian to a pupil: the resource is the pupil. */
  'guardianLink.manage': (a: Actor, r: ResourceOf<'user'>) => r.schoolIds.some((s) => adminOf(a, s)),
} as const;

type Rules = typeof rules;
export type Action = keyof Rules;
type ResourceFor<A extends Action> = Parameters<Rules[A]>[1] extends Resource ? Parameters<Rules[A]>[1] : ResourceOf<'platform'>;

/** Seeing a thing at all; when this fails the answer is 404, so that ids cannot be probed. */
const readAction = {
  school: 'school.read',
  group: 'group.read',
  user: 'user.read',
  platform: null,
} as const satisfies Record<Resource['type'], Action | null>;

export function can<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>): boolean {
  const rule = rules[action] as (a: Actor, r: Resource) => boolean;
  return rule(actor, resource);
}

/** Throws NotFound when the actor may not even see the resource, Forbidden when they may see but not do. */
export function authorize<A extends Action>(actor: Actor, action: A, resource: ResourceFor<A>, what?: string): void {
  if (can(actor, action, resource)) return;
  const read = readAction[resource.type];
  if (read && read !== action && can(actor, read, resource as never)) throw new Forbidden();
  if (resource.type === 'platform') throw new Forbidden();
  throw new NotFound(what);
}

/** Schools where the actor holds one of `roles`: the scope for school-wide lists. */
export function schoolsWhere(actor: Actor, ...roles: SchoolRole[]): string[] {
  return [...new Set(actor.roles.filter((r) => roles.includes(r.role)).map((r) => r.schoolId))];
}

function hasRole(a: Actor, role: SchoolRole): boolean {
  return a.roles.some((r) => r.role === role);
}
function roleAt(a: Actor, schoolId: string, role: SchoolRole): boolean {
  return a.roles.some((r) => r.schoolId === schoolId && r.role === role);
}
function adminOf(a: Actor, schoolId: string): boolean {
  return roleAt(a, schoolId, 'admin');
}
function memberOf(a: Actor, schoolId: string): boolean {
  return a.roles.some((r) => r.schoolId === schoolId);
}
