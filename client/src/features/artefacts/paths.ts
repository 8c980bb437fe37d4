const enc = encodeURIComponent;

export const artefactPath = (artefactId: string) => `/artefacts/${enc(artefactId)}`;
export const editArtefactPath = (artefactId: string) => `${artefactPath(artefactId)}/edit`;
export const newArtefactPath = (projectId?: string) => `/artefacts/new${projectId ? `?projectId=${enc(projectId)}` : ''}`;
/** A teacher's view of one pupil's portfolio. */
export const teacherPupilPath = (pupilId: string) => `/teacher/pupils/${enc(pupilId)}`;
/** A guardian's view of one child's shared work. */
export const guardianChildPath = (childId: string) => `/guardian/children/${enc(childId)}`;
