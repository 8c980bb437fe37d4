import { useTranslation } from 'react-i18next';
import { FormError } from '../../../components/form-fields.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useLinkCodeMutation } from '../queries.ts';

/** On a user's page: a one-time code that links the user's first school sign-in to this account. */
export function LinkCodePanel({ userId, schoolId }: { userId: string; schoolId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const make = useLinkCodeMutation(userId, schoolId);
  return (
    <section className="card sso-link-code" aria-labelledby={`link-code-${userId}`}>
      <h2 id={`link-code-${userId}`}>{t('sso.linkCodePanel.heading')}</h2>
      <p>{t('sso.linkCodePanel.intro')}</p>
      <FormError message={make.isError ? errorMessage(t, make.error) : null} />
      {make.data && (
        <p role="status">
          {t('sso.linkCodePanel.code')} <strong className="sso-link-code__value">{make.data.code}</strong>{' '}
          {t('sso.linkCodePanel.expires', { date: format.dateTime(make.data.expiresAt) })}
        </p>
      )}
      <button type="button" className="button" onClick={() => make.mutate()} disabled={make.isPending}>
        {make.data ? t('sso.linkCodePanel.again') : t('sso.linkCodePanel.make')}
      </button>
    </section>
  );
}
