import { getSchema } from '@tiptap/core';
import type { DOMOutputSpec, Mark, Node as PMNode, Schema } from '@tiptap/pm/model';
import { parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { sanitizeRichText } from '../../../../server/modules/artefacts/sanitize.ts';
import { RICH_TEXT_ATTRIBUTES, RICH_TEXT_HEADING_LEVELS, RICH_TEXT_MARKS, RICH_TEXT_NODES, RICH_TEXT_TAGS } from '../../../../shared/rich-text.ts';
import { normaliseLinkHref, richTextExtensions } from './extensions.ts';

/**
 * The editor and the server's sanitiser must agree exactly: everything the editor can write
 * survives the sanitiser unchanged, and the editor enables nothing the shared list does not name.
 */

const schema: Schema = getSchema(richTextExtensions());

/** Renders a DOMOutputSpec without a DOM (the schema's own toDOM output), `content` in the hole. */
function render(spec: DOMOutputSpec, content: string): string {
  if (typeof spec === 'string') return spec;
  if (!Array.isArray(spec)) throw new Error('a node rendered to a DOM node, not a spec');
  const [tag, ...rest] = spec as [string, ...unknown[]];
  let attrs: Record<string, unknown> = {};
  if (rest[0] && typeof rest[0] === 'object' && !Array.isArray(rest[0])) attrs = rest.shift() as Record<string, unknown>;
  const attrText = Object.entries(attrs)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => ` ${name}="${String(value as string | number)}"`)
    .join('');
  const inner = rest.map((child) => (child === 0 ? content : render(child as DOMOutputSpec, content))).join('');
  return ['br'].includes(tag) ? `<${tag}${attrText}>` : `<${tag}${attrText}>${inner}</${tag}>`;
}

/** Tags and attributes in the order the tree has them, attributes sorted: comparable across serialisers. */
function canonical(html: string): string {
  type El = { type: string; name?: string; attribs?: Record<string, string>; data?: string; children?: El[] };
  const walk = (nodes: El[]): string =>
    nodes
      .map((n) => {
        if (n.type === 'text') return n.data ?? '';
        const attrs = Object.entries(n.attribs ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => ` ${k}="${v}"`)
          .join('');
        return `<${n.name}${attrs}>${walk(n.children ?? [])}</${n.name}>`;
      })
      .join('');
  return walk(parseDocument(html).children as unknown as El[]);
}

function tagsAndAttributes(html: string): Array<[string, string[]]> {
  const found: Array<[string, string[]]> = [];
  for (const m of html.matchAll(/<([a-z0-9]+)([^>]*)>/g)) found.push([m[1]!, [...m[2]!.matchAll(/ ([a-z-]+)=/g)].map((a) => a[1]!)]);
  return found;
}

/** One sample of every node and mark, with every value its attributes can take that matters. */
function samples(): Array<{ what: string; html: string }> {
  const out: Array<{ what: string; html: string }> = [];
  const node = (n: PMNode, content = 'Teksti') => render(n.type.spec.toDOM!(n), content);
  const mark = (m: Mark) => render(m.type.spec.toDOM!(m, true), 'Teksti');
  for (const type of Object.values(schema.nodes)) {
    if (type.name === 'doc' || type.name === 'text') continue;
    if (type.name === 'heading') {
      for (const level of RICH_TEXT_HEADING_LEVELS) out.push({ what: `heading ${level}`, html: node(type.create({ level })) });
    } else if (type.name === 'orderedList') {
      for (const start of [1, 3]) out.push({ what: `orderedList from ${start}`, html: node(type.create({ start }), '<li><p>Teksti</p></li>') });
    } else {
      const content =
        type.name === 'hardBreak'
          ? ''
          : ['bulletList'].includes(type.name)
            ? '<li><p>Teksti</p></li>'
            : ['listItem', 'blockquote'].includes(type.name)
              ? '<p>Teksti</p>'
              : 'Teksti';
      out.push({ what: type.name, html: node(type.create(), content) });
    }
  }
  for (const type of Object.values(schema.marks)) {
    if (type.name === 'link') {
      for (const href of ['https://example.org/a?b=1', 'http://example.org/', 'mailto:opettaja@example.org'])
        out.push({ what: `link ${href}`, html: mark(type.create({ href })) });
    } else out.push({ what: type.name, html: mark(type.create()) });
  }
  return out;
}

describe('the editor and the sanitiser share one allow-list', () => {
  it('the editor enables exactly the nodes and marks the list names', () => {
    expect(Object.keys(schema.nodes).sort()).toEqual(['doc', 'text', ...Object.keys(RICH_TEXT_NODES)].sort());
    expect(Object.keys(schema.marks).sort()).toEqual(Object.keys(RICH_TEXT_MARKS).sort());
  });

  it('every node and mark the editor writes survives the sanitiser unchanged', () => {
    const all = samples();
    expect(all.length).toBeGreaterThan(15);
    for (const { what, html } of all) {
      expect(canonical(sanitizeRichText(html)), what).toBe(canonical(html));
      for (const [tag, attrs] of tagsAndAttributes(html)) {
        expect(RICH_TEXT_TAGS, what).toContain(tag);
        for (const attr of attrs) expect((RICH_TEXT_ATTRIBUTES as Record<string, readonly string[]>)[tag] ?? [], `${what}: ${tag}[${attr}]`).toContain(attr);
      }
    }
  });

  it('no node or mark carries an attribute the sanitiser would strip', () => {
    for (const type of [...Object.values(schema.nodes), ...Object.values(schema.marks)]) {
      const names = Object.keys(type.spec.attrs ?? {});
      // A heading's level is its tag (h2–h4), not an attribute.
      const tag = ({ ...RICH_TEXT_NODES, ...RICH_TEXT_MARKS } as Record<string, readonly string[]>)[type.name]?.[0] ?? '';
      const allowed = type.name === 'heading' ? ['level'] : ((RICH_TEXT_ATTRIBUTES as Record<string, readonly string[]>)[tag] ?? []);
      expect(
        names.filter((name) => !allowed.includes(name)),
        type.name,
      ).toEqual([]);
    }
  });

  it('every tag the sanitiser keeps is one the editor reads', () => {
    const parsed = new Set<string>();
    for (const type of [...Object.values(schema.nodes), ...Object.values(schema.marks)]) {
      for (const rule of type.spec.parseDOM ?? []) {
        const tag = 'tag' in rule && rule.tag ? /^[a-z0-9]+/.exec(rule.tag)?.[0] : undefined;
        if (tag) parsed.add(tag);
      }
    }
    expect(RICH_TEXT_TAGS.filter((tag) => !parsed.has(tag))).toEqual([]);
  });

  it('links accept only http, https and mailto', () => {
    expect(normaliseLinkHref('https://example.org')).toBe('https://example.org');
    expect(normaliseLinkHref('mailto:a@example.org')).toBe('mailto:a@example.org');
    expect(normaliseLinkHref('example.org/sivu')).toBe('https://example.org/sivu');
    expect(normaliseLinkHref('javascript:alert(1)')).toBeNull();
    expect(normaliseLinkHref('data:text/html,x')).toBeNull();
    expect(normaliseLinkHref('ftp://example.org')).toBeNull();
    expect(normaliseLinkHref('  ')).toBeNull();
  });
});
