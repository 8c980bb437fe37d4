import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../../../../shared/roles.ts';
import { SITE_TEXT } from './site-text.ts';

/** Every key, with nested records flattened (`kinds.image`), and whether each value is a function. */
function shape(value: unknown, prefix = ''): string[] {
  if (typeof value === 'function') return [`${prefix}()`];
  if (value && typeof value === 'object')
    return Object.entries(value)
      .flatMap(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k))
      .sort();
  return [prefix];
}

/** Every text, nested ones too, functions called with a sample argument. */
function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'function') return [String(Reflect.apply(value, undefined, ['1']))];
  if (value && typeof value === 'object') return Object.values(value).flatMap(texts);
  return [];
}

describe('offline site texts', () => {
  it('has the same keys in Finnish, Swedish and English, none empty', () => {
    const fi = shape(SITE_TEXT.fi);
    expect(fi.length).toBeGreaterThan(40);
    for (const locale of LOCALES) {
      expect(shape(SITE_TEXT[locale]), locale).toEqual(fi);
      const strings = texts(SITE_TEXT[locale]);
      for (const s of strings) expect(s.trim().length, locale).toBeGreaterThan(0);
    }
  });
});
