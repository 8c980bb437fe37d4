import type { MessageParams } from '../../../../shared/portability/import-messages.ts';
import { type ImportRejectedCode, type ImportRejectedParams, rejectionMessage } from '../../../../shared/portability/import-rejections.ts';

export { formatSize } from '../../../../shared/portability/import-messages.ts';
export type { ImportRejectedCode } from '../../../../shared/portability/import-rejections.ts';

/**
 * Why an archive was refused as a whole. The code and params say it in any language (the client
 * translates them); the message is the English sentence from the shared table, for the CLI and logs,
 * with `detail` (a parser's or validator's own English words) appended where it helps an admin.
 * The routes layer answers 422 with all of it. Nothing has been written when this is thrown.
 */
export class ImportRejected<C extends ImportRejectedCode = ImportRejectedCode> extends Error {
  readonly params: MessageParams;
  constructor(
    readonly code: C,
    params: ImportRejectedParams[C],
    detail?: string,
  ) {
    const { params: clean, message } = rejectionMessage(code, params);
    super(detail ? `${message} (${detail})` : message);
    this.params = clean;
    this.name = 'ImportRejected';
  }
}
