import {
  type PortfolioDocument,
  PORTFOLIO_FORMAT_VERSION,
  SUPPORTED_PORTFOLIO_VERSIONS,
  portfolioDocumentSchema,
} from '../../../../shared/portability/portfolio-format.ts';
import { ARCHIVE_PATHS } from '../../../../shared/portability/portfolio-format.ts';
import { ImportRejected } from './import-rejected.ts';

/** portfolio.json's bytes parsed and checked against the schema; a failure names the field. CPU-heavy: run in the parse pool. */
export function parsePortfolioDocument(bytes: Uint8Array): PortfolioDocument {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    if (err instanceof TypeError) throw new ImportRejected('invalid-utf8', { file: ARCHIVE_PATHS.document });
    throw new ImportRejected('invalid-document', {}, err instanceof Error ? err.message : undefined);
  }
  if (typeof json === 'object' && json !== null && 'version' in json && !(SUPPORTED_PORTFOLIO_VERSIONS as readonly unknown[]).includes(json.version)) {
    throw new ImportRejected('invalid-document', { context: 'version', version: String(json.version), expected: PORTFOLIO_FORMAT_VERSION });
  }
  const parsed = portfolioDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '';
    throw new ImportRejected('invalid-document', { context: 'schema', field: where || '(root)' }, issue?.message);
  }
  return parsed.data;
}
