import type { PortfolioDocument } from '../../../../shared/portability/portfolio-format.ts';
import { sanitizeRichText } from '../../artefacts/sanitize.ts';
import { type LeapFeed, readFeed } from './leap2a-feed.ts';
import { parsePortfolioDocument } from './polku-document.ts';
import { parseXml } from './safe-xml.ts';
import { type SeesawPage, readSeesawPage } from './seesaw-page.ts';
import { type TakeoutJson, readTakeoutJson } from './takeout-json.ts';

/**
 * The CPU-heavy steps of reading an import, as messages a worker thread can run (see parse-pool.ts):
 * only plain data goes in and out, so they structured-clone across threads.
 */
export type ParseTask =
  | { kind: 'leap2a'; bytes: Uint8Array; maxBytes: number; file: string }
  | { kind: 'polku-document'; bytes: Uint8Array }
  | { kind: 'sanitize'; html: string[] }
  | { kind: 'takeout-json'; inputs: Array<{ bytes: Uint8Array; as: 'sidecar' | 'post' }> }
  | { kind: 'seesaw-pages'; pages: Uint8Array[] };

export interface ParseResults {
  leap2a: LeapFeed;
  'polku-document': PortfolioDocument;
  sanitize: string[];
  'takeout-json': TakeoutJson[];
  'seesaw-pages': SeesawPage[];
}

export type ParseResult<T extends ParseTask> = ParseResults[T['kind']];

export function runParseTask(task: ParseTask): ParseResults[ParseTask['kind']] {
  switch (task.kind) {
    case 'leap2a':
      return readFeed(parseXml(task.bytes, task.maxBytes, task.file), task.file);
    case 'polku-document':
      return parsePortfolioDocument(task.bytes);
    case 'sanitize':
      return task.html.map(sanitizeRichText);
    case 'takeout-json':
      return readTakeoutJson(task.inputs);
    case 'seesaw-pages':
      return task.pages.map(readSeesawPage);
  }
}
