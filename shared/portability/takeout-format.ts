import { z } from 'zod';

/**
 * The JSON files of a Google Takeout download that Polku reads, as far as it reads them. Everything
 * else in them (owners, e-mail addresses, ids, permissions, grades) is dropped by the schemas:
 * zod objects strip unknown keys, so nothing of it can reach a row.
 *
 * Drive and Photos write a "sidecar" next to a file (`Essee.docx.json`,
 * `IMG_1.jpg.supplemental-metadata.json`): Drive with the Drive API's field names (`createdTime`,
 * ISO 8601), Photos with `{ timestamp: "<Unix seconds>" }` objects. Classroom writes one JSON per
 * post or submission under `Classroom/<class>/`, shaped like the Classroom API's resources
 * (courseWork, announcements, studentSubmissions), with its attachments beside it.
 */

const text = (max: number) => z.string().max(max);
const when = z.union([text(64), z.object({ timestamp: text(32).optional(), formatted: text(128).optional() })]);

export const driveSidecarSchema = z.object({
  title: text(500).optional(),
  description: text(20_000).optional(),
  createdTime: text(64).optional(),
  modifiedTime: text(64).optional(),
  creationTime: when.optional(),
  photoTakenTime: when.optional(),
});
export type DriveSidecar = z.infer<typeof driveSidecarSchema>;

/** An attachment names its file by title: `{ driveFile: { driveFile: { title } } }` as the API nests it, or flatter. */
const attachmentSchema = z.object({
  title: text(500).optional(),
  driveFile: z.object({ title: text(500).optional(), driveFile: z.object({ title: text(500).optional() }).optional() }).optional(),
  link: z.object({ url: text(2000), title: text(500).optional() }).optional(),
  youtubeVideo: z.object({ alternateLink: text(2000).optional(), title: text(500).optional() }).optional(),
});
export type ClassroomAttachment = z.infer<typeof attachmentSchema>;

const personSchema = z.object({
  displayName: text(200).optional(),
  name: z.union([text(200), z.object({ fullName: text(200).optional() })]).optional(),
});

const commentSchema = z.object({
  text: text(10_000).optional(),
  body: text(10_000).optional(),
  creator: personSchema.optional(),
  author: personSchema.optional(),
  creationTime: when.optional(),
});

export const classroomPostSchema = z.object({
  title: text(500).optional(),
  description: text(50_000).optional(),
  text: text(50_000).optional(),
  creationTime: when.optional(),
  updateTime: when.optional(),
  materials: z.array(attachmentSchema).max(200).optional(),
  attachments: z.array(attachmentSchema).max(200).optional(),
  assignmentSubmission: z.object({ attachments: z.array(attachmentSchema).max(200).optional() }).optional(),
  shortAnswerSubmission: z.object({ answer: text(50_000).optional() }).optional(),
  comments: z.array(commentSchema).max(500).optional(),
  privateComments: z.array(commentSchema).max(500).optional(),
});
export type ClassroomPost = z.infer<typeof classroomPostSchema>;
