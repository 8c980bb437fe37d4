import type { AnyExtension, Extensions } from '@tiptap/core';
import { CodeBlock } from '@tiptap/extension-code-block';
import { Link } from '@tiptap/extension-link';
import { OrderedList } from '@tiptap/extension-list';
import { StarterKit, type StarterKitOptions } from '@tiptap/starter-kit';
import {
  isAllowedLinkHref,
  RICH_TEXT_ATTRIBUTES,
  RICH_TEXT_HEADING_LEVELS,
  RICH_TEXT_LINK_ATTRIBUTES,
  RICH_TEXT_LINK_PROTOCOLS,
  RICH_TEXT_MARKS,
  RICH_TEXT_NODES,
} from '../../../../shared/rich-text.ts';

/**
 * The editor's schema, read off the shared allow-list (shared/rich-text.ts) that the server's
 * sanitiser also uses: a node or mark is on exactly when the list names it, and keeps only the
 * HTML attributes the list allows for its tag. Kept free of React so a test can build the schema.
 */

const allowed = new Set<string>([...Object.keys(RICH_TEXT_NODES), ...Object.keys(RICH_TEXT_MARKS)]);
const on = (name: string) => allowed.has(name);

/** The attributes the allow-list keeps on a tag (the editor's own, unrendered ones are listed apart). */
function htmlAttributes(tag: string): readonly string[] {
  return (RICH_TEXT_ATTRIBUTES as Record<string, readonly string[] | undefined>)[tag] ?? [];
}

/** Drops an extension's attributes the sanitiser would strip (a pasted link's class, a code block's language). */
function keepOnly<T extends { extend: (config: object) => AnyExtension }>(extension: T, tag: string): AnyExtension {
  const keep = new Set(htmlAttributes(tag));
  return extension.extend({
    addAttributes(this: { parent?: () => Record<string, unknown> }) {
      return Object.fromEntries(Object.entries(this.parent?.() ?? {}).filter(([name]) => keep.has(name)));
    },
  });
}

/** Link targets: only the allowed protocols, whatever a paste or the link dialog offers. */
export function normaliseLinkHref(input: string): string | null {
  const href = input.trim();
  if (!href) return null;
  if (isAllowedLinkHref(href)) return href;
  // "example.org" or "www.example.org": people type addresses without the scheme.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('/') && /^[^\s@]+\.[^\s@]+/.test(href)) return `https://${href}`;
  return null;
}

type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;
const isHeadingLevel = (level: number): level is HeadingLevel => Number.isInteger(level) && level >= 1 && level <= 6;

export function richTextExtensions(): Extensions {
  const starter: Partial<StarterKitOptions> = {
    blockquote: on('blockquote') ? {} : false,
    bold: on('bold') ? {} : false,
    bulletList: on('bulletList') ? {} : false,
    code: on('code') ? {} : false,
    hardBreak: on('hardBreak') ? {} : false,
    heading: on('heading') ? { levels: RICH_TEXT_HEADING_LEVELS.filter(isHeadingLevel) } : false,
    italic: on('italic') ? {} : false,
    listItem: on('listItem') ? {} : false,
    strike: on('strike') ? {} : false,
    underline: on('underline') ? {} : false,
    // Not in the allow-list: <hr> would be stripped by the server.
    horizontalRule: false,
    // Replaced below by versions that keep only the allowed attributes.
    codeBlock: false,
    orderedList: false,
    link: false,
  };
  if (!on('paragraph')) throw new Error('rich text without paragraphs cannot be edited');
  const extensions: Extensions = [StarterKit.configure(starter)];
  if (on('orderedList')) extensions.push(keepOnly(OrderedList, RICH_TEXT_NODES.orderedList[0]));
  if (on('codeBlock')) extensions.push(keepOnly(CodeBlock, RICH_TEXT_NODES.codeBlock[0]));
  if (on('link')) {
    extensions.push(
      keepOnly(
        Link.configure({
          openOnClick: false,
          autolink: true,
          linkOnPaste: true,
          defaultProtocol: 'https',
          protocols: [...RICH_TEXT_LINK_PROTOCOLS],
          HTMLAttributes: { ...RICH_TEXT_LINK_ATTRIBUTES, class: null },
          isAllowedUri: (url) => isAllowedLinkHref(url),
          shouldAutoLink: (url) => isAllowedLinkHref(url) || normaliseLinkHref(url) !== null,
        }),
        RICH_TEXT_MARKS.link[0],
      ),
    );
  }
  return extensions;
}
