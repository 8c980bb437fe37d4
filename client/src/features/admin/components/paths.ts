const enc = encodeURIComponent;

export const schoolPath = (schoolId: string) => `/admin/schools/${enc(schoolId)}`;
export const groupsPath = (schoolId: string) => `${schoolPath(schoolId)}/groups`;
export const groupPath = (schoolId: string, groupId: string) => `${groupsPath(schoolId)}/${enc(groupId)}`;
export const usersPath = (schoolId: string) => `${schoolPath(schoolId)}/users`;
export const userPath = (schoolId: string, userId: string) => `${usersPath(schoolId)}/${enc(userId)}`;
export const guardianLinksPath = (schoolId: string) => `${schoolPath(schoolId)}/guardian-links`;
export const signInSettingsPath = (schoolId: string) => `${schoolPath(schoolId)}/sign-in`;
export const rostersPath = (schoolId: string) => `${schoolPath(schoolId)}/rosters`;
