import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../lib/error-message.ts';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function QueryError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return (
    <p className="notice notice--error" role="alert">
      {errorMessage(t, error)}
    </p>
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
