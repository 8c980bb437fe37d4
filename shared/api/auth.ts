import { z } from 'zod';
import { idSchema, localeSchema, schoolRoleSchema } from './common.ts';

export const loginRequestSchema = z.object({
  username: z.string().trim().min(1, { message: 'is required' }).max(100),
  password: z.string().min(1, { message: 'is required' }).max(1000),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const meUserSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  locale: localeSchema.nullable(),
});

export const meRoleSchema = z.object({
  schoolId: idSchema,
  role: schoolRoleSchema,
});

export const meSchoolSchema = z.object({ id: idSchema, name: z.string() });

/** The signed-in user, their roles per school and their schools. */
export const meResponseSchema = z.object({
  user: meUserSchema,
  roles: z.array(meRoleSchema),
  schools: z.array(meSchoolSchema),
  /** The time zone dates are shown in: the (first) school's, Europe/Helsinki by default. */
  timeZone: z.string(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

/**
 * Who is signed in, or `me: null` when no one is: always 200, so that a signed-out visit (the
 * sign-in page asks on every load) is a normal answer and not an error in the browser's console.
 */
export const sessionResponseSchema = z.object({ me: meResponseSchema.nullable() });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const updateMeRequestSchema = z.object({ locale: localeSchema.nullable() }).strict();
export type UpdateMeRequest = z.infer<typeof updateMeRequestSchema>;
