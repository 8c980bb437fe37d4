const enc = encodeURIComponent;

/** Issue 10 §6: a project's pupils × goals, and a group's competence coverage this term (teachers). */
export const heatmapPath = (projectId: string) => `/teacher/projects/${enc(projectId)}/heatmap`;
export const coveragePath = (groupId: string) => `/teacher/groups/${enc(groupId)}/coverage`;
