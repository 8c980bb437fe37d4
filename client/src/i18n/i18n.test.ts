import { describe, expect, it } from 'vitest';
import en from './en.json' with { type: 'json' };
import fi from './fi.json' with { type: 'json' };
import sv from './sv.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

/** Flattens a translation tree to `a.b.c` → value. */
function flatten(tree: Tree, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of flatten(value, path)) out.set(k, v);
    } else {
      out.set(path, value);
    }
  }
  return out;
}

const languages = { fi: flatten(fi), sv: flatten(sv), en: flatten(en) };

/** `{{name}}` and `{{name, format}}` placeholders used by one value (a different format is a mismatch too). */
const placeholders = (value: unknown) =>
  [...String(value).matchAll(/\{\{\s*(\w+)\s*(?:,\s*(\w+)\s*)?\}\}/g)].map((m) => (m[2] ? `${m[1]},${m[2]}` : m[1])).sort();

describe('translations', () => {
  it.each(['sv', 'en'] as const)('%s has exactly the keys of fi', (lng) => {
    const reference = [...languages.fi.keys()].sort();
    const keys = [...languages[lng].keys()].sort();
    expect(
      keys.filter((k) => !languages.fi.has(k)),
      `keys only in ${lng}`,
    ).toEqual([]);
    expect(
      reference.filter((k) => !languages[lng].has(k)),
      `keys missing from ${lng}`,
    ).toEqual([]);
  });

  it.each(['fi', 'sv', 'en'] as const)('%s has no empty or non-string values', (lng) => {
    const bad = [...languages[lng]].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it.each(['sv', 'en'] as const)('%s uses the same {{placeholders}} as fi', (lng) => {
    const mismatched = [...languages.fi]
      .filter(([key, value]) => placeholders(value).join() !== placeholders(languages[lng].get(key)).join())
      .map(([key]) => key);
    expect(mismatched).toEqual([]);
  });
});
