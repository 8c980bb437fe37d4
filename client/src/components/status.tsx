import type { ReactNode } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../lib/error-message.ts';
import { isApiError } from '../lib/http.ts';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** What kind of failure a page or query ran into: each has its own heading, explanation and next step. */
export type ErrorKind = 'notFound' | 'forbidden' | 'signedOut' | 'network' | 'failed';

export function errorKind(error: unknown): ErrorKind {
  if (isApiError(error, 'not_found')) return 'notFound';
  if (isApiError(error, 'forbidden')) return 'forbidden';
  if (isApiError(error, 'unauthenticated')) return 'signedOut';
  if (isApiError(error, 'network_error')) return 'network';
  return 'failed';
}

/** Trying again can help only when the failure was not an answer about the thing itself. */
const retryable = (kind: ErrorKind) => kind === 'network' || kind === 'failed';

function RetryButton({ onRetry }: { onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="button button--secondary" onClick={onRetry}>
      {t('common.retry')}
    </button>
  );
}

/** A part of a page that could not be loaded, translated at render time from the error's code. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const kind = errorKind(error);
  return (
    <div className="notice notice--error query-error" role="alert">
      <p>{errorMessage(t, error)}</p>
      {onRetry && retryable(kind) && <RetryButton onRetry={onRetry} />}
    </div>
  );
}

/** The title a page shows for a failure (its h1 and the document title). */
export function pageErrorHeading(t: TFunction, error: unknown): string {
  return t(`pageError.${errorKind(error)}.heading`);
}

interface PageErrorProps {
  error: unknown;
  /** Re-runs the failed queries; offered for network and server failures only. */
  onRetry?: () => void;
  /** A more specific heading (e.g. "Artefact not found"); by default one for the kind of failure. */
  heading?: string;
  children?: ReactNode;
}

/**
 * A whole page that could not be shown: 404, 403, a server error or no connection each say so
 * in the reader's language, with what to do next. Every page that loads data shows this instead
 * of "Loading…" when loading failed.
 */
export function PageError({ error, onRetry, heading, children }: PageErrorProps) {
  const { t } = useTranslation();
  const kind = errorKind(error);
  return (
    <div className="stack page-error" data-error-kind={kind}>
      <h1>{heading ?? pageErrorHeading(t, error)}</h1>
      <div className="notice notice--error" role="alert">
        <p>{kind === 'failed' ? errorMessage(t, error) : t(`pageError.${kind}.text`)}</p>
      </div>
      {children}
      <div className="button-row button-row--start">
        {onRetry && retryable(kind) && <RetryButton onRetry={onRetry} />}
        <Link to="/">{t('notFound.home')}</Link>
      </div>
    </div>
  );
}

interface EmptyStateProps {
  heading: string;
  headingLevel?: 2 | 3;
  children?: ReactNode;
  illustration?: ReactNode;
}

export function EmptyState({ heading, headingLevel = 2, children, illustration }: EmptyStateProps) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="empty-state">
      {illustration}
      <div className="empty-state__text">
        <Heading>{heading}</Heading>
        {children}
      </div>
    </div>
  );
}
