import { describe, expect, it } from 'vitest';
import { cleanImportedTags, tagSchema, tagsSchema, TAG_MAX_COUNT } from './tags.ts';

describe('tag rules', () => {
  it('normalises: NFC, whitespace folded, trimmed, case kept', () => {
    expect(tagSchema.parse(' Cafe\u0301 \n  au\tlait ')).toBe('Café au lait');
  });

  it('counts the 40 characters after normalising', () => {
    expect(tagSchema.safeParse(`  ${'a'.repeat(40)}  `).success).toBe(true);
    expect(tagSchema.safeParse('a'.repeat(41)).success).toBe(false);
  });

  it('refuses bidi marks, control characters and commas, and a repeat in another case', () => {
    for (const bad of ['a\u202Eb', 'a\u2066b', 'a\u200Fb', 'a\u0000b', 'a\u009Fb', 'a,b', '']) expect(tagSchema.safeParse(bad).success, bad).toBe(false);
    expect(tagsSchema.safeParse(['Äiti', 'äITI']).success).toBe(false);
    expect(tagsSchema.safeParse(['Äiti', 'isä']).success).toBe(true);
  });

  it('keeps emoji, including joined ones', () => {
    expect(tagSchema.parse('👩\u200D🔬 tiede')).toBe('👩\u200D🔬 tiede');
  });
});

describe('tags from an imported archive', () => {
  it('are cleaned instead of refused, never leaving half an emoji', () => {
    expect(cleanImportedTags(['x'.repeat(39) + '😀', 7, null, ' a\u202E,b ', 'A B'])).toEqual(['x'.repeat(39), 'a b']);
    expect(cleanImportedTags(Array.from({ length: 50 }, (_, i) => `t${i}`))).toHaveLength(TAG_MAX_COUNT);
  });
});
