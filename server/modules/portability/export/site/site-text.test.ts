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

describe('offline site texts', () => {
  it('has the same keys in Finnish, Swedish and English, none empty', () => {
    const fi = shape(SITE_TEXT.fi);
    expect(fi.length).toBeGreaterThan(40);
    for (const locale of LOCALES) {
      expect(shape(SITE_TEXT[locale]), locale).toEqual(fi);
      const strings = Object.values(SITE_TEXT[locale]).flatMap((v) =>
        typeof v === 'string' ? [v] : typeof v === 'object' ? Object.values(v) : [String(Reflect.apply(v, undefined, ['1']))],
      );
      for (const s of strings) expect(s.trim().length, locale).toBeGreaterThan(0);
    }
  });
});
