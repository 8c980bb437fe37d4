import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { GuardianSharingMode } from '../../../../../shared/api/org.ts';
import { FormError, RadioGroup, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useSchoolGuardianSharingQuery, useSetSchoolGuardianSharingMutation } from '../queries.ts';

/** Issue 12 §1: the school's rule for sharing with guardians (its admins), in the school's settings. */
export function SchoolGuardianSharingForm({ schoolId }: { schoolId: string }) {
  const { t } = useTranslation();
  const setting = useSchoolGuardianSharingQuery(schoolId);
  if (setting.isPending) return <Loading />;
  if (setting.isError) return <QueryError error={setting.error} onRetry={() => void setting.refetch()} />;
  return (
    <section aria-labelledby="guardian-sharing-heading" className="stack">
      <h2 id="guardian-sharing-heading">{t('guardianSharing.settingHeading')}</h2>
      <p className="muted">{t('guardianSharing.settingIntro')}</p>
      <Form schoolId={schoolId} initial={setting.data.guardianSharing} />
    </section>
  );
}

function Form({ schoolId, initial }: { schoolId: string; initial: GuardianSharingMode }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<GuardianSharingMode>(initial);
  const [error, setError] = useState<string | null>(null);
  const save = useSetSchoolGuardianSharingMutation(schoolId);
  const notice = useNotice();
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    notice.clear();
    setError(null);
    try {
      await save.mutateAsync(mode);
      notice.success((tr) => tr('guardianSharing.saved'));
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="card form">
      <FormError message={error} />
      <RadioGroup
        name="guardianSharing"
        legend={t('guardianSharing.settingLegend')}
        value={mode}
        onChange={(v) => setMode(v === 'approval' ? 'approval' : 'direct')}
        options={[
          { value: 'direct', label: t('guardianSharing.direct') },
          { value: 'approval', label: t('guardianSharing.approval') },
        ]}
      />
      <SubmitButton pending={save.isPending} label={t('guardianSharing.save')} />
      <LiveNotice notice={notice.notice} />
    </form>
  );
}
