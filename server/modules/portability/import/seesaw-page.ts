import { Parser } from 'htmlparser2';
import { limitNesting } from '../../artefacts/sanitize.ts';

/**
 * One page of a Seesaw journal download, read with htmlparser2 (a streaming tokenizer: no tree is
 * built, so nesting costs nothing) on a parse thread. Only what Polku keeps is taken out, as plain
 * text: the caption, the date, the files a post shows or links, its comments with the commenter's
 * name. Markup, scripts and styles never leave this file; the planner escapes the text again and
 * the sanitiser sees it after that.
 *
 * The markup read (Seesaw's "Download journal" pages, one per month): a post is an element with the
 * class `post`, holding a `<time datetime>`, an element of class `caption`, media as `<img>`,
 * `<video>`, `<audio>`, `<source>` or a link to a file, and `comment` elements each with a
 * `comment-author`, a `comment-text` and a `<time datetime>`.
 */

export const SEESAW_CAPS = { posts: 2000, commentsPerPost: 200, filesPerPost: 50, captionChars: 20_000, commentChars: 10_000, nameChars: 200 };

export interface SeesawComment {
  author: string | null;
  text: string;
  date: string | null;
}

export interface SeesawPost {
  /** Seesaw's own id of the post (`data-post-id`), when the page gives one. */
  id: string | null;
  date: string | null;
  caption: string;
  /** References (src/href) to files of the download, as written in the page. */
  files: string[];
  links: string[];
  comments: SeesawComment[];
}

export interface SeesawPage {
  posts: SeesawPost[];
  /** The journal's owner, from an element of class `student-name` (index page). */
  studentName: string | null;
  /** More posts or comments than SEESAW_CAPS allow: those beyond were dropped. */
  truncated: boolean;
}

const SKIP_TEXT = new Set(['script', 'style', 'template', 'noscript', 'svg', 'math', 'title', 'head']);

type Field = 'caption' | 'author' | 'comment' | 'student' | null;

export function readSeesawPage(bytes: Uint8Array): SeesawPage {
  // htmlparser2 keeps its open elements in an array it shifts at the front: deep nesting costs the
  // square of the depth. Tags beyond any real page's depth are dropped first (their text stays).
  const html = limitNesting(new TextDecoder('utf-8').decode(bytes));
  const page: SeesawPage = { posts: [], studentName: null, truncated: false };
  let depth = 0;
  let skipDepth = 0;
  let post: SeesawPost | null = null;
  let postDepth = -1;
  let comment: SeesawComment | null = null;
  let commentDepth = -1;
  let field: Field = null;
  let fieldDepth = -1;
  let buffer = '';
  const hasClass = (attribs: Record<string, string>, ...names: string[]) => {
    const classes = (attribs.class ?? '').toLowerCase().split(/\s+/);
    return names.some((n) => classes.includes(n));
  };
  const addFile = (ref: string | undefined) => {
    if (!post || comment || !ref) return;
    const value = ref.trim();
    if (!value || /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(value)) {
      if (/^https?:\/\//i.test(value) && post.links.length < SEESAW_CAPS.filesPerPost && !post.links.includes(value)) post.links.push(value);
      return;
    }
    if (post.files.includes(value)) return;
    if (post.files.length >= SEESAW_CAPS.filesPerPost) page.truncated = true;
    else post.files.push(value);
  };
  const endField = () => {
    const text = buffer
      .replace(/[ \t\r\f\v]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .trim();
    if (field === 'caption' && post) post.caption = (post.caption ? `${post.caption}\n\n${text}` : text).slice(0, SEESAW_CAPS.captionChars);
    if (field === 'author' && comment) comment.author = text.slice(0, SEESAW_CAPS.nameChars) || null;
    if (field === 'comment' && comment) comment.text = text.slice(0, SEESAW_CAPS.commentChars);
    if (field === 'student') page.studentName = text.slice(0, SEESAW_CAPS.nameChars) || null;
    field = null;
    buffer = '';
  };
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        depth += 1;
        if (skipDepth) return;
        if (SKIP_TEXT.has(name)) {
          skipDepth = depth;
          return;
        }
        if (field && (name === 'br' || name === 'p' || name === 'div' || name === 'li')) buffer += '\n';
        if (!post && hasClass(attribs, 'post')) {
          if (page.posts.length >= SEESAW_CAPS.posts) {
            page.truncated = true;
            return;
          }
          const id = attribs['data-post-id'];
          post = { id: id && /^[\w-]{1,100}$/.test(id) ? id : null, date: null, caption: '', files: [], links: [], comments: [] };
          postDepth = depth;
          return;
        }
        if (post && !comment && hasClass(attribs, 'comment')) {
          if (post.comments.length >= SEESAW_CAPS.commentsPerPost) page.truncated = true;
          else {
            comment = { author: null, text: '', date: null };
            commentDepth = depth;
          }
          return;
        }
        if (name === 'time' && attribs.datetime !== undefined) {
          if (comment) comment.date ??= attribs.datetime;
          else if (post) post.date ??= attribs.datetime;
        }
        if (name === 'img' || name === 'video' || name === 'audio' || name === 'source') addFile(attribs.src);
        if (name === 'a') addFile(attribs.href);
        if (field) return;
        const open = (f: Field) => {
          field = f;
          fieldDepth = depth;
          buffer = '';
        };
        if (comment && hasClass(attribs, 'comment-author')) open('author');
        else if (comment && hasClass(attribs, 'comment-text')) open('comment');
        else if (post && !comment && hasClass(attribs, 'caption', 'post-caption')) open('caption');
        else if (!post && hasClass(attribs, 'student-name')) open('student');
      },
      ontext(text) {
        if (!skipDepth && field) buffer += text;
      },
      onclosetag() {
        if (skipDepth === depth) skipDepth = 0;
        if (field && fieldDepth === depth) endField();
        if (comment && commentDepth === depth) {
          if (post) post.comments.push(comment);
          comment = null;
        }
        if (post && postDepth === depth) {
          page.posts.push(post);
          post = null;
        }
        depth -= 1;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return page;
}
