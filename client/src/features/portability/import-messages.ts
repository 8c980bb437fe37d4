import type { TFunction } from 'i18next';
import { type ImportItemView, isImportRejectedCode } from '../../../../shared/api/portability.ts';

type Params = Readonly<Record<string, string | number>>;

/**
 * Why an item is created, skipped or not imported, in the reader's language. The server's English
 * `reason` is shown only for an item without a code (an older job's preview).
 */
export function reasonText(t: TFunction, item: Pick<ImportItemView, 'reasonCode' | 'reasonParams' | 'reason'>): string {
  if (item.reasonCode) return t(`imports.reason.${item.reasonCode}`, { ...item.reasonParams });
  return item.reason ?? '';
}

/**
 * An item's title in the reader's language when the importer made it up (`titleCode`); the archive's
 * own title otherwise, and the generic "untitled" when there is none.
 */
export function titleText(t: TFunction, item: Pick<ImportItemView, 'title' | 'titleCode' | 'titleParams'>): string {
  if (item.titleCode) return t(`imports.itemTitle.${item.titleCode}`, { ...item.titleParams });
  return item.title || t('imports.untitled');
}

/**
 * Why a file was refused (a 422's reason, or a failed import job's error code), in the reader's
 * language; null for a code this client does not know, so the caller shows its generic sentence.
 */
export function rejectionText(t: TFunction, code: string | undefined, params: Params | undefined): string | null {
  if (!isImportRejectedCode(code)) return null;
  return t(`imports.rejected.${code}`, { ...params });
}
