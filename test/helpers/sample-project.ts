import type { Db } from '../../server/db/database.ts';
import type { Project } from '../../shared/api/projects.ts';
import type { TestClient } from './test-client.ts';

/**
 * The project the portability tests export and import: created by a teacher through the API (two
 * phases, a goal, two subjects, a competence, a group), plus a teacher kept by name as an earlier
 * import would have left one. The description carries markup-like text so that escaping is exercised.
 */
export async function postSampleProject(teacher: TestClient, db: Db, at: { schoolId: string; groupId: string }): Promise<Project> {
  const res = await teacher.post<Project>('/api/projects', {
    schoolId: at.schoolId,
    title: 'Vesi ympärillämme',
    description: 'Tutkimme <vettä> & jäätä.',
    schoolYear: '2026-2027',
    startsOn: '2026-11-01',
    endsOn: '2026-12-15',
    subjectCodes: ['BI', 'FY'],
    competenceIds: ['basic:L1'],
    phases: [{ title: 'Orientoituminen' }, { title: 'Tutkiminen' }],
    goals: [{ text: 'Osaan kuvata veden olomuodot' }],
    groupIds: [at.groupId],
  });
  if (res.status !== 201) throw new Error(`creating the sample project failed: ${res.status} ${res.text}`);
  const project = res.body;
  await db
    .updateTable('projects')
    .set({ importedTeachers: JSON.stringify([{ id: null, displayName: 'Opettaja Muualta', role: 'teacher' }]) })
    .where('id', '=', project.id)
    .execute();
  return project;
}
