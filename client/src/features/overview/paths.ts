export const groupOverviewPath = (groupId: string) => `/teacher/groups/${encodeURIComponent(groupId)}`;
