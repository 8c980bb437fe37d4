import type { ReferenceData } from '../../../shared/api/reference.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest } from '../../http/errors.ts';

/** Subjects and competence frameworks: seeded data that changes only with a migration, so cached per process. */
export function referenceService(db: Db) {
  let cached: Promise<ReferenceData> | null = null;
  async function load(): Promise<ReferenceData> {
    const [subjects, frameworks, competences] = await Promise.all([
      db.selectFrom('subjects').select(['code', 'labels']).orderBy('position').execute(),
      db.selectFrom('competenceFrameworks').select(['key', 'labels']).orderBy('key').execute(),
      db.selectFrom('competences').select(['id', 'framework', 'key', 'labels']).orderBy('framework').orderBy('position').execute(),
    ]);
    return {
      subjects,
      frameworks: frameworks.map((f) => ({ ...f, competences: competences.filter((c) => c.framework === f.key) })),
    };
  }
  const get = () => {
    cached ??= load().catch((err: unknown) => {
      cached = null;
      throw err;
    });
    return cached;
  };
  return {
    get,
    /** Throws 400 naming the field when a code or id is not in the reference data. */
    async check(field: string, input: { subjectCodes?: readonly string[] | undefined; competenceIds?: readonly string[] | undefined }) {
      const data = await get();
      const subjects = new Set(data.subjects.map((s) => s.code));
      const competences = new Set(data.frameworks.flatMap((f) => f.competences.map((c) => c.id)));
      const badSubject = input.subjectCodes?.find((c) => !subjects.has(c));
      const badCompetence = input.competenceIds?.find((c) => !competences.has(c));
      const details = [
        ...(badSubject ? [{ path: `${field}.subjectCodes`, message: `has an unknown subject code ${badSubject}` }] : []),
        ...(badCompetence ? [{ path: `${field}.competenceIds`, message: `has an unknown competence ${badCompetence}` }] : []),
      ];
      if (details.length > 0) throw new BadRequest('Some subjects or competences are not known.', details);
    },
  };
}
export type ReferenceService = ReturnType<typeof referenceService>;
