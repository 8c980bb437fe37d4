import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { School } from '../../../../../shared/api/org.ts';
import { FormError, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useUpdateSchoolMutation } from '../../admin/queries.ts';

/** Issue 12 §4: the school's minimum age for pupils' own secret links, a block of its own in the school's settings. */
export function ShareLinkAgeSetting({ school }: { school: School }) {
  const { t } = useTranslation();
  const update = useUpdateSchoolMutation(school.id);
  const notice = useNotice();
  const [value, setValue] = useState(String(school.shareLinkMinAge));
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    setError(null);
    const age = Number(value);
    if (value.trim() === '' || !Number.isInteger(age) || age < 0 || age > 20) {
      setError(t('shareLinks.minAgeInvalid'));
      return;
    }
    try {
      await update.mutateAsync({ shareLinkMinAge: age });
      notice.success(t('shareLinks.minAgeSaved'));
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="card form" aria-labelledby={`${id}-legend`}>
      <fieldset>
        <legend id={`${id}-legend`}>{t('shareLinks.minAgeLegend')}</legend>
        <FormError message={error} />
        <div className={error ? 'field field--invalid' : 'field'}>
          <label htmlFor={`${id}-age`}>{t('shareLinks.minAgeLabel')}</label>
          <p className="field__hint" id={`${id}-hint`}>
            {t('shareLinks.minAgeHint')}
          </p>
          <input
            id={`${id}-age`}
            name="shareLinkMinAge"
            type="number"
            inputMode="numeric"
            min={0}
            max={20}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-describedby={`${id}-hint`}
            aria-invalid={error ? true : undefined}
          />
        </div>
        <SubmitButton pending={update.isPending} label={t('shareLinks.saveMinAge')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}
