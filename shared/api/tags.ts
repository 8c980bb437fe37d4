import { z } from 'zod';
import { hasHiddenCharacters, withoutHiddenCharacters } from './common.ts';

/** Free tags on artefacts (issue 9): limits shared by the API, the editor and the importers. */
export const TAG_MAX_LENGTH = 40;
export const TAG_MAX_COUNT = 20;

/** Control and text-direction characters, as in every name (common.ts); tabs and line breaks fold into a space instead (normaliseTag). */
export const hasForbiddenTagCharacters = hasHiddenCharacters;

/** As a tag is kept: Unicode composed (NFC), runs of whitespace as one space, trimmed. Case is kept. */
export const normaliseTag = (text: string) => text.normalize('NFC').replace(/\s+/gu, ' ').trim();

/**
 * What makes two tags the same: their case does not count. The database compares `lower()` of both
 * sides (polku_tag_keys, migration 0014); this is the client's and the validator's view of it.
 */
export const tagKey = (tag: string) => normaliseTag(tag).toLowerCase();

export const tagSchema = z
  .string()
  .refine((s) => !hasForbiddenTagCharacters(s), { message: 'must not contain control characters or text-direction marks' })
  .transform(normaliseTag)
  .pipe(
    z
      .string()
      .min(1, { message: 'must not be empty' })
      .max(TAG_MAX_LENGTH, { message: `must be at most ${TAG_MAX_LENGTH} characters` })
      .refine((s) => !s.includes(','), { message: 'must not contain a comma (commas separate tags)' }),
  );

/** An artefact's tags: each once, whatever its case (the second "kevät" next to "Kevät" is refused, not merged). */
export const tagsSchema = z
  .array(tagSchema)
  .max(TAG_MAX_COUNT, { message: `can hold at most ${TAG_MAX_COUNT} tags` })
  .superRefine((tags, ctx) => {
    const seen = new Set<string>();
    tags.forEach((tag, index) => {
      const key = tagKey(tag);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `has the tag “${tag}” twice (case does not make tags different)` });
      seen.add(key);
    });
  });

/** The tags used in a pupil's portfolio, as far as the viewer sees it: for the timeline's filter chips. */
export const pupilTagsSchema = z.object({
  tags: z.array(
    z.object({
      /** The spelling most of the pupil's artefacts use. */
      tag: z.string(),
      /** How many artefacts (that the viewer sees) carry it. */
      count: z.number().int(),
    }),
  ),
});
export type PupilTags = z.infer<typeof pupilTagsSchema>;

/** The first `max` UTF-16 units, without leaving half of a surrogate pair (an emoji) at the end. */
const cut = (s: string, max: number) => (s.length <= max ? s : s.slice(0, /[\uD800-\uDBFF]/.test(s.charAt(max - 1)) ? max - 1 : max));

/**
 * Tags from an imported archive (hostile input): made to fit the rules above instead of failing the
 * import. Forbidden characters and commas go, each tag is cut to the length limit, empty ones and
 * repeats are dropped, at most TAG_MAX_COUNT are kept.
 */
export function cleanImportedTags(raw: readonly unknown[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const value of raw) {
    if (typeof value !== 'string') continue;
    const tag = normaliseTag(cut(normaliseTag(withoutHiddenCharacters(value).replace(/,/g, ' ')), TAG_MAX_LENGTH));
    const key = tag.toLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    out.push(tag);
    if (out.length === TAG_MAX_COUNT) break;
  }
  return out;
}
