import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Db } from '../../db/database.ts';

/** Tables and columns of migrations 0026 (roster_keys) and 0030 that this module reads and writes. */
export type RosterKeyKind = 'sourced_id' | 'learner_id' | 'username' | 'email';

export type RosterTables = {
  rosterKeys: {
    schoolId: string;
    kind: RosterKeyKind;
    value: string;
    userId: string;
    createdAt: Generated<Date>;
  };
  rosterImports: {
    id: string;
    schoolId: string;
    requestedBy: string | null;
    status: 'ready' | 'running' | 'done' | 'failed';
    format: 'oneroster' | 'sds';
    fileName: string;
    roster: ColumnType<unknown, string | null, string | null>;
    preview: ColumnType<unknown, string, string>;
    progress: ColumnType<unknown, string | null, string | null>;
    report: ColumnType<unknown, string | null, string | null>;
    error: ColumnType<unknown, string | null, string | null>;
    heartbeatAt: Date | null;
    createdAt: Generated<Date>;
    updatedAt: Generated<Date>;
    finishedAt: Date | null;
    expiresAt: Date;
  };
  groups: { rosterSourceId: ColumnType<string | null, string | null | undefined, string | null> };
  users: { birthDate: ColumnType<string | null, string | null | undefined, string | null> };
};

export type RosterDb = Kysely<Database & RosterTables>;

/** The same connection (or transaction), typed with this module's tables. */
export const rosterDb = (db: Db): RosterDb => db.withTables<RosterTables>();

/** Splits long id lists so that no statement carries more parameters than the database takes. */
export function chunks<T>(items: readonly T[], size = 5_000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
