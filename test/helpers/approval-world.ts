import { expect } from 'vitest';
import { addMember, linkGuardian, makeGroup, makeProject, makeSchool, makeUser } from './factories.ts';
import type { TestApp } from './test-app.ts';

/**
 * Issue 12 §1's cast, signed in: a school sharing with guardians `direct`ly or after `approval`; a group with the
 * pupil and her teacher; a project of the group with a teacher of its own; a teacher of the school who teaches
 * her nothing; the admin; her guardian and another family's; a teacher of another school.
 */
export async function approvalWorld(app: TestApp, mode: 'direct' | 'approval') {
  const db = app.database.db;
  const school = await makeSchool(db);
  const otherSchool = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const [pupil, teacher, projectTeacher, otherTeacher, admin, guardian, otherGuardian, teacherB] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
    makeUser(db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Olli' }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'admin', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
    makeUser(db, { role: 'teacher', schoolId: otherSchool.id }),
  ]);
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, teacher.id, 'teacher');
  await linkGuardian(db, guardian.id, pupil.id);
  const project = await makeProject(db, { schoolId: school.id, teacherIds: [projectTeacher.id], groupIds: [group.id] });
  const c = {
    pupil: await app.as(pupil.username),
    teacher: await app.as(teacher.username),
    projectTeacher: await app.as(projectTeacher.username),
    otherTeacher: await app.as(otherTeacher.username),
    admin: await app.as(admin.username),
    guardian: await app.as(guardian.username),
    otherGuardian: await app.as(otherGuardian.username),
    teacherB: await app.as(teacherB.username),
  };
  if (mode === 'approval') {
    const res = await c.admin.put(`/api/schools/${school.id}/guardian-sharing`, { guardianSharing: 'approval' });
    expect(res.status, res.text).toBe(200);
  }
  return { school, otherSchool, group, project, pupil, teacher, projectTeacher, otherTeacher, admin, guardian, otherGuardian, teacherB, c };
}
