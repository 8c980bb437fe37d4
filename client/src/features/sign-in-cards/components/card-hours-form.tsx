import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, TextField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useCardSettingsQuery, useUpdateCardSettingsMutation } from '../queries.ts';

/** The school's card sign-in hours: shown to teachers, set by the school's admins. */
export function CardHoursForm({ schoolId, editable }: { schoolId: string; editable: boolean }) {
  const { t } = useTranslation();
  const settings = useCardSettingsQuery(schoolId);
  if (settings.isPending) return <Loading />;
  if (settings.isError) return null;
  const { hoursStart, hoursEnd, timeZone } = settings.data;
  const summary = hoursStart && hoursEnd ? t('signInCards.hours.window', { start: hoursStart, end: hoursEnd, zone: timeZone }) : t('signInCards.hours.anyTime');
  return (
    <section aria-labelledby="card-hours-heading" className="card stack">
      <h2 id="card-hours-heading">{t('signInCards.hours.heading')}</h2>
      <p>{summary}</p>
      {editable && <HoursEditor key={`${hoursStart}-${hoursEnd}`} schoolId={schoolId} start={hoursStart ?? ''} end={hoursEnd ?? ''} />}
    </section>
  );
}

function HoursEditor({ schoolId, start: savedStart, end: savedEnd }: { schoolId: string; start: string; end: string }) {
  const { t } = useTranslation();
  const [start, setStart] = useState(savedStart);
  const [end, setEnd] = useState(savedEnd);
  const [error, setError] = useState<unknown>(null);
  const update = useUpdateCardSettingsMutation(schoolId);
  const notice = useNotice();
  const save = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    update.mutate(
      { hoursStart: start.trim() || null, hoursEnd: end.trim() || null },
      { onSuccess: () => notice.success(t('signInCards.hours.saved')), onError: setError },
    );
  };
  return (
    <form onSubmit={save} noValidate className="form">
      <FormError message={error ? errorMessage(t, error) : null} />
      <TextField
        name="hours-start"
        label={t('signInCards.hours.start')}
        hint={t('signInCards.hours.hint')}
        value={start}
        onChange={setStart}
        inputMode="numeric"
        optional
      />
      <TextField name="hours-end" label={t('signInCards.hours.end')} value={end} onChange={setEnd} inputMode="numeric" optional />
      <button type="submit" className="button" disabled={update.isPending}>
        {t('signInCards.hours.save')}
      </button>
      <LiveNotice notice={notice.notice} />
    </form>
  );
}
