import type { TFunction } from 'i18next';
import type { ZodError } from 'zod';
import { ApiError } from './http.ts';

/** Field name → translated message. */
export type FieldErrors = Record<string, string>;

/** Fields whose pattern needs its own explanation (the schemas' messages are English). */
const PATTERN_MESSAGES = {
  username: 'validation.username',
  schoolYear: 'validation.schoolYear',
} as const;

function patternMessage(t: TFunction, field: string): string {
  return field in PATTERN_MESSAGES ? t(PATTERN_MESSAGES[field as keyof typeof PATTERN_MESSAGES]) : t('validation.invalid');
}

interface IssueLike {
  code: string;
  path: PropertyKey[];
  input?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  format?: string;
  origin?: string;
}

/** Translates one zod issue from its code and parameters. */
function issueMessage(t: TFunction, issue: IssueLike, field: string): string {
  switch (issue.code) {
    case 'too_small':
      if (Number(issue.minimum) <= 1) return t('validation.required');
      return t('validation.tooShort', { count: Number(issue.minimum) });
    case 'too_big':
      return t('validation.tooLong', { count: Number(issue.maximum) });
    case 'invalid_format':
      return issue.format === 'email' ? t('validation.email') : patternMessage(t, field);
    case 'invalid_type':
      return issue.input === undefined ? t('validation.required') : t('validation.invalid');
    default:
      return t('validation.invalid');
  }
}

/**
 * Client-side check with the shared zod schema, so the user sees problems in their own language
 * before anything is sent; the first problem of each field wins.
 */
export function fieldErrorsFromZod(t: TFunction, error: ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    if (field && !(field in out)) out[field] = issueMessage(t, issue as IssueLike, field);
  }
  return out;
}

/**
 * The server's `details` name fields as `body.field`. Their texts are English, so each is
 * shown as a translated hint for that field instead.
 */
export function fieldErrorsFromApi(t: TFunction, error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const out: FieldErrors = {};
  for (const detail of error.details) {
    const field = detail.path.replace(/^body\./, '').split('.')[0] ?? '';
    if (field && !(field in out)) {
      out[field] = field === 'email' ? t('validation.email') : patternMessage(t, field);
    }
  }
  return out;
}

/** Moves focus to the first field with a problem, in document order. */
export function focusFirstInvalid(form: HTMLElement | null): void {
  const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  first?.focus();
}
