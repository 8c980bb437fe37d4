/**
 * The one list of what rich text may contain. The server's sanitiser keeps exactly these tags and
 * attributes (server/modules/artefacts/sanitize.ts) and the client's editor enables exactly these
 * nodes and marks (client/src/components/rich-text/extensions.ts); a test fails if they drift.
 *
 * Each editor node or mark names the tags it writes (the first) and reads (the rest: `<b>` and
 * `<i>` from older texts and pasted HTML become `<strong>` and `<em>`).
 */
export const RICH_TEXT_NODES = {
  paragraph: ['p'],
  hardBreak: ['br'],
  heading: ['h2', 'h3', 'h4'],
  bulletList: ['ul'],
  orderedList: ['ol'],
  listItem: ['li'],
  blockquote: ['blockquote'],
  codeBlock: ['pre', 'code'],
} as const satisfies Record<string, readonly string[]>;

export const RICH_TEXT_MARKS = {
  bold: ['strong', 'b'],
  italic: ['em', 'i'],
  underline: ['u'],
  strike: ['s'],
  code: ['code'],
  link: ['a'],
} as const satisfies Record<string, readonly string[]>;

export type RichTextNode = keyof typeof RICH_TEXT_NODES;
export type RichTextMark = keyof typeof RICH_TEXT_MARKS;

/** HTML attributes kept per tag; every other attribute (class, style, id, on…) is dropped. */
export const RICH_TEXT_ATTRIBUTES = {
  a: ['href', 'rel', 'target'],
  ol: ['start'],
} as const satisfies Record<string, readonly string[]>;

/** Links go to the web or to an e-mail address; nothing that runs (javascript:, data:). */
export const RICH_TEXT_LINK_PROTOCOLS = ['http', 'https', 'mailto'] as const;

/** Every link opens apart from Polku and tells the target nothing about where it came from. */
export const RICH_TEXT_LINK_ATTRIBUTES = { rel: 'noopener noreferrer nofollow', target: '_blank' } as const;

/** Every tag the sanitiser keeps: the union of the lists above. */
export const RICH_TEXT_TAGS: readonly string[] = [...new Set([...Object.values(RICH_TEXT_NODES).flat(), ...Object.values(RICH_TEXT_MARKS).flat()])];

/** The heading levels, read off the heading tags (h1 is the page's own title). */
export const RICH_TEXT_HEADING_LEVELS = RICH_TEXT_NODES.heading.map((tag) => Number(tag.slice(1)));

/** True when a link target uses one of the allowed protocols (relative and protocol-relative links are not). */
export function isAllowedLinkHref(href: string): boolean {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(href.trim());
  return !!match && (RICH_TEXT_LINK_PROTOCOLS as readonly string[]).includes(match[1]!.toLowerCase());
}
