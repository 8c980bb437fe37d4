const enc = encodeURIComponent;

/** One pupil's page for one goal: the goal, its evidence and the assessments over time. */
export const goalPath = (goalId: string, pupilId: string) => `/goals/${enc(goalId)}/pupils/${enc(pupilId)}`;
