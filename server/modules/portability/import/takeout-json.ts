import { type ClassroomPost, type DriveSidecar, classroomPostSchema, driveSidecarSchema } from '../../../../shared/portability/takeout-format.ts';

/** Deeper than any sidecar Google writes (they nest three or four levels). */
export const MAX_JSON_DEPTH = 32;

export type TakeoutJson = { kind: 'sidecar'; value: DriveSidecar } | { kind: 'post'; value: ClassroomPost } | { kind: 'other' } | { kind: 'bad' };

/**
 * Reads Takeout's JSON files (run on a parse thread, see parse-tasks.ts). Each is checked before it is
 * parsed (UTF-8, nesting depth counted in one pass) and validated after; a file that fails is 'bad',
 * which the planner reports while the work it describes is still imported.
 */
export function readTakeoutJson(inputs: ReadonlyArray<{ bytes: Uint8Array; as: 'sidecar' | 'post' }>): TakeoutJson[] {
  return inputs.map(({ bytes, as }) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { kind: 'bad' };
    }
    if (depthOf(text) > MAX_JSON_DEPTH) return { kind: 'bad' };
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      return { kind: 'bad' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return as === 'post' ? { kind: 'other' } : { kind: 'bad' };
    if (as === 'sidecar') {
      const sidecar = driveSidecarSchema.safeParse(value);
      return sidecar.success ? { kind: 'sidecar', value: sidecar.data } : { kind: 'bad' };
    }
    const post = classroomPostSchema.safeParse(value);
    if (!post.success) return { kind: 'bad' };
    const p = post.data;
    // Class details (a course's name, room, section) and other records are not work.
    const isWork = Boolean(
      p.title ||
      p.description ||
      p.text ||
      p.shortAnswerSubmission?.answer ||
      p.materials?.length ||
      p.attachments?.length ||
      p.assignmentSubmission?.attachments?.length,
    );
    return isWork ? { kind: 'post', value: p } : { kind: 'other' };
  });
}

/** The deepest nesting of objects and arrays, strings skipped: linear, and before JSON.parse sees it. */
function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) max = depth;
      if (max > MAX_JSON_DEPTH) return max;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return max;
}
