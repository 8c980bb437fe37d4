const enc = encodeURIComponent;

export const projectPath = (projectId: string) => `/projects/${enc(projectId)}`;
export const editProjectPath = (projectId: string) => `${projectPath(projectId)}/edit`;
export const newProjectPath = () => '/projects/new';
