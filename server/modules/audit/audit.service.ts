import type { Db } from '../../db/database.ts';

export interface AuditEvent {
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  /** Whose personal data this touched, so that a data request can list it. */
  subjectUserId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** Writes one audit event; call it inside the transaction of the change it describes. */
export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  await auditInsert(db, event).execute();
}

/** The insert of one audit event, for a statement that writes the change and its audit together (a CTE). */
export function auditInsert(db: Db, event: AuditEvent) {
  return db.insertInto('auditEvents').values({
    actorId: event.actorId,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId ?? null,
    subjectUserId: event.subjectUserId ?? null,
    details: JSON.stringify(event.details ?? {}),
    ip: event.ip ?? null,
  });
}
