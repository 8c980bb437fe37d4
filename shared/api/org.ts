import { z } from 'zod';
import { GROUP_ROLES } from '../roles.ts';
import { guardianCommentSettingSchema } from './guardian-voice.ts';
import { idSchema, isoDateTime, localeSchema, nameText, schoolRoleSchema, timeZoneSchema } from './common.ts';

export const groupRoleSchema = z.enum(GROUP_ROLES);

// Schools
// --- Guardian voice (issue 12 §2): whether guardians may comment, and whether a teacher approves first ---
const schoolGuardianVoiceFields = { guardianComments: guardianCommentSettingSchema };
// --- end guardian voice ---
export const schoolSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    code: z.string().nullable(),
    timeZone: timeZoneSchema,
    createdAt: isoDateTime,
    // --- Secret links (issue 12 §4) ---
    /** Pupils this old make their own secret links; younger ones (and those of unknown age) get them from a teacher. */
    shareLinkMinAge: z.number().int(),
    // --- end secret links ---
  })
  .extend(schoolGuardianVoiceFields);
export type School = z.infer<typeof schoolSchema>;
export const schoolListSchema = z.object({ schools: z.array(schoolSchema) });
/**
 * A school's code (schools.code) decides which school a first sign-in with MPASSid's school claim lands in, and
 * which roster is the school's own. Were it settable here, any admin could claim a school not yet on this Polku
 * (or create one under its code) and receive its pupils: only the operator sets it (`polku school code`).
 */
const operatorSetsCode = z
  .never({ error: 'is set by the operator of this Polku (the command `polku school code`): it decides where sign-ins of that school land' })
  .optional();
export const createSchoolRequestSchema = z.object({ name: nameText(200), code: operatorSetsCode }).strict();
export const updateSchoolRequestSchema = z
  .object({
    name: nameText(200).optional(),
    code: operatorSetsCode,
    timeZone: timeZoneSchema.optional(),
    // --- Secret links (issue 12 §4) ---
    shareLinkMinAge: z.number().int('must be a whole number of years').min(0, 'must be 0 or more').max(20, 'must be at most 20').optional(),
    // --- end secret links ---
  })
  .extend({ guardianComments: guardianCommentSettingSchema.optional() })
  .strict();

// Groups
export const groupSchema = z.object({
  id: idSchema,
  schoolId: idSchema,
  name: z.string(),
  schoolYear: z.string().nullable(),
  memberCount: z.number().int(),
});
export type Group = z.infer<typeof groupSchema>;
export const groupListSchema = z.object({ groups: z.array(groupSchema) });
const schoolYear = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{4}$/, { message: 'must look like 2026-2027' });
export const createGroupRequestSchema = z.object({ name: nameText(100), schoolYear: schoolYear.optional() }).strict();
export const updateGroupRequestSchema = z.object({ name: nameText(100).optional(), schoolYear: schoolYear.nullable().optional() }).strict();

export const groupMemberSchema = z.object({
  userId: idSchema,
  username: z.string(),
  displayName: z.string(),
  role: groupRoleSchema,
});
export type GroupMember = z.infer<typeof groupMemberSchema>;
export const groupDetailSchema = z.object({ group: groupSchema, members: z.array(groupMemberSchema) });
export type GroupDetail = z.infer<typeof groupDetailSchema>;
export const putMemberRequestSchema = z.object({ role: groupRoleSchema }).strict();

// Users
export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._@-]{1,99}$/, {
    message: 'must be 2–100 characters: letters a–z, digits, dot, dash, underscore or @',
  });
export const passwordSchema = z.string().min(10, { message: 'must be at least 10 characters' }).max(200, { message: 'must be at most 200 characters' });

export const schoolUserSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  email: z.string().nullable(),
  locale: localeSchema.nullable(),
  active: z.boolean(),
  roles: z.array(schoolRoleSchema),
});
export type SchoolUser = z.infer<typeof schoolUserSchema>;
export const schoolUserListSchema = z.object({ users: z.array(schoolUserSchema) });
export const listSchoolUsersQuerySchema = z.object({ role: schoolRoleSchema.optional() });

export const createUserRequestSchema = z
  .object({
    username: usernameSchema,
    displayName: nameText(200),
    email: z.email({ message: 'must be an email address' }).optional(),
    role: schoolRoleSchema,
    locale: localeSchema.optional(),
    password: passwordSchema.optional(),
  })
  .strict();
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z
  .object({
    displayName: nameText(200).optional(),
    email: z.email({ message: 'must be an email address' }).nullable().optional(),
    locale: localeSchema.nullable().optional(),
    active: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .strict();
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const userRefSchema = z.object({ id: idSchema, displayName: z.string() });
export type UserRef = z.infer<typeof userRefSchema>;

export const userDetailSchema = schoolUserSchema.omit({ roles: true }).extend({
  roles: z.array(z.object({ schoolId: idSchema, role: schoolRoleSchema })),
  groups: z.array(z.object({ id: idSchema, name: z.string(), role: groupRoleSchema })),
  guardians: z.array(userRefSchema),
  children: z.array(userRefSchema),
});
export type UserDetail = z.infer<typeof userDetailSchema>;

// Guardian links
export const guardianLinkSchema = z.object({ guardian: userRefSchema, pupil: userRefSchema, createdAt: isoDateTime });
export type GuardianLink = z.infer<typeof guardianLinkSchema>;
export const guardianLinkListSchema = z.object({ links: z.array(guardianLinkSchema) });
export const createGuardianLinkRequestSchema = z.object({ guardianId: idSchema, pupilId: idSchema }).strict();

// Role home pages
export const myGroupSchema = z.object({
  id: idSchema,
  name: z.string(),
  schoolYear: z.string().nullable(),
  school: z.object({ id: idSchema, name: z.string() }),
  role: groupRoleSchema,
  pupils: z.array(userRefSchema),
  teachers: z.array(userRefSchema),
});
export type MyGroup = z.infer<typeof myGroupSchema>;
export const myGroupsSchema = z.object({ groups: z.array(myGroupSchema) });

export const childSchema = z.object({
  id: idSchema,
  displayName: z.string(),
  schools: z.array(z.object({ id: idSchema, name: z.string() })),
  groups: z.array(z.object({ id: idSchema, name: z.string() })),
});
export type Child = z.infer<typeof childSchema>;
export const myChildrenSchema = z.object({ children: z.array(childSchema) });

// Path parameters
export const schoolParamsSchema = z.object({ schoolId: idSchema });
export const groupParamsSchema = z.object({ groupId: idSchema });
export const userParamsSchema = z.object({ userId: idSchema });
export const memberParamsSchema = z.object({ groupId: idSchema, userId: idSchema });
export const guardianLinkParamsSchema = z.object({ guardianId: idSchema, pupilId: idSchema });

// --- Guardian sharing (issue 12 §1): direct, or only after a teacher approves ---
export const GUARDIAN_SHARING_MODES = ['direct', 'approval'] as const;
export const guardianSharingModeSchema = z.enum(GUARDIAN_SHARING_MODES);
export type GuardianSharingMode = z.infer<typeof guardianSharingModeSchema>;
export const schoolGuardianSharingSchema = z.object({ guardianSharing: guardianSharingModeSchema });
export type SchoolGuardianSharing = z.infer<typeof schoolGuardianSharingSchema>;
export const updateSchoolGuardianSharingRequestSchema = z.object({ guardianSharing: guardianSharingModeSchema }).strict();
// --- end guardian sharing ---
