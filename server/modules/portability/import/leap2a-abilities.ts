import type { Db } from '../../../db/database.ts';
import type { Labels } from '../../../../shared/api/reference.ts';

export interface Reference {
  competences: Array<{ id: string; key: string; labels: Labels }>;
  subjects: Array<{ code: string; labels: Labels }>;
}

export async function loadReference(db: Db): Promise<Reference> {
  const [competences, subjects] = await Promise.all([
    db.selectFrom('competences').select(['id', 'key', 'labels']).orderBy('position').execute(),
    db.selectFrom('subjects').select(['code', 'labels']).orderBy('position').execute(),
  ]);
  return { competences, subjects };
}

const norm = (s: string) => s.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * What a LEAP2A ability means here: a seeded competence when its title or id names one (its id
 * "basic:L4", its key "L4", "L4 Monilukutaito", or a label in any language), else a subject by code
 * or label; null when nothing fits. `label` is the key or code ("L4", "BI"): the same in every
 * language, so a translated reason can name it.
 */
export function matchAbility(title: string, id: string, ref: Reference): { kind: 'competence' | 'subject'; id: string; label: string } | null {
  const t = norm(title);
  const idTail = norm(id.split(/[#/:]/).filter(Boolean).pop() ?? '');
  for (const c of ref.competences) {
    const labels = Object.values(c.labels).map(norm);
    const key = norm(c.key);
    if (t === norm(c.id) || t === key || labels.includes(t) || new RegExp(`^${escape(key)}\\b`).test(t) || idTail === key || idTail === norm(c.id)) {
      return { kind: 'competence', id: c.id, label: c.key };
    }
  }
  for (const s of ref.subjects) {
    if (t === norm(s.code) || Object.values(s.labels).map(norm).includes(t)) return { kind: 'subject', id: s.code, label: s.code };
  }
  return null;
}

/** A subject code for an Atom category (a tag) that names one by code or label; null otherwise. */
export function matchSubject(term: string, ref: Reference): string | null {
  const t = norm(term);
  return ref.subjects.find((s) => t === norm(s.code) || Object.values(s.labels).map(norm).includes(t))?.code ?? null;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
