import type { TFunction } from 'i18next';
import { ApiError } from './http.ts';

/** A translated sentence for any error: the server's English text is never shown when we have a translation. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) return t(`errors.${error.code}`, { ...error.reason?.params });
  return t('errors.internal_error');
}
