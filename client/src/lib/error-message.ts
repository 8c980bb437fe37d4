import type { TFunction } from 'i18next';
import { ApiError } from './http.ts';

/** A translated sentence for any error: the server's English text is never shown when we have a translation. */
export function errorMessage(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    // A finer reason has its own sentence where we wrote one (errors.reasons.*); otherwise the code's.
    const keys = error.reason ? [`errors.reasons.${error.reason.code}`, `errors.${error.code}`] : [`errors.${error.code}`];
    return t(keys as [`errors.${typeof error.code}`], { ...error.reason?.params });
  }
  return t('errors.internal_error');
}

/**
 * A message kept in state and translated when shown, not when stored: it follows a language
 * switch (a stored translated string would stay in the old language).
 */
export type Message = string | ((t: TFunction) => string);
export const showMessage = (t: TFunction, message: Message): string => (typeof message === 'string' ? message : message(t));
/** The translated sentence for an error, as a Message. */
export const errorText =
  (error: unknown): Message =>
  (t) =>
    errorMessage(t, error);
