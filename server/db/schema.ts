import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Locale, GroupRole, SchoolRole } from '../../shared/roles.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** Kysely's view of the tables created by server/db/migrations (snake_case in SQL, camelCase here). */
export interface Database {
  schools: SchoolsTable;
  users: UsersTable;
  schoolRoles: SchoolRolesTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  guardianLinks: GuardianLinksTable;
  sessions: SessionsTable;
  auditEvents: AuditEventsTable;
  schemaMigrations: SchemaMigrationsTable;
}

export interface SchoolsTable {
  id: Generated<string>;
  name: string;
  code: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  displayName: string;
  email: string | null;
  passwordHash: string | null;
  locale: Locale | null;
  active: Generated<boolean>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface SchoolRolesTable {
  schoolId: string;
  userId: string;
  role: SchoolRole;
  createdAt: CreatedAt;
}

export interface GroupsTable {
  id: Generated<string>;
  schoolId: string;
  name: string;
  schoolYear: string | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface MembershipsTable {
  groupId: string;
  userId: string;
  role: GroupRole;
  createdAt: CreatedAt;
}

export interface GuardianLinksTable {
  guardianId: string;
  pupilId: string;
  createdAt: CreatedAt;
}

export interface SessionsTable {
  sid: string;
  userId: string | null;
  data: ColumnType<unknown, string, string>;
  expiresAt: ColumnType<Date, Date, Date>;
}

export interface AuditEventsTable {
  id: Generated<string>;
  at: CreatedAt;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  subjectUserId: string | null;
  details: ColumnType<unknown, string | undefined, string>;
  ip: string | null;
}

export interface SchemaMigrationsTable {
  version: string;
  appliedAt: CreatedAt;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type SchoolRow = Selectable<SchoolsTable>;
export type GroupRow = Selectable<GroupsTable>;
