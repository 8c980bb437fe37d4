import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SchoolSignInSettings, SsoMode } from '../../../../../shared/api/sso.ts';
import { CheckboxField, FormError, SelectField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useSchoolContext } from '../../admin/components/school-layout.tsx';
import { useSignInSettingsQuery, useUpdateSignInSettingsMutation } from '../queries.ts';

const MODES: readonly SsoMode[] = ['off', 'rostered', 'create'];

/** The school's admin chooses, per configured provider, who may sign in through it, and whether passwords work. */
export function SignInSettingsPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(t('sso.settings.title'));
  const settings = useSignInSettingsQuery(school.id);
  if (settings.isPending) return <Loading />;
  if (settings.isError) return <QueryError error={settings.error} onRetry={() => void settings.refetch()} />;
  return <SettingsForm key={JSON.stringify(settings.data)} settings={settings.data} />;
}

function SettingsForm({ settings }: { settings: SchoolSignInSettings }) {
  const { t } = useTranslation();
  const [modes, setModes] = useState<Record<string, SsoMode>>(() => Object.fromEntries(settings.providers.map((p) => [p.id, p.mode])));
  const [password, setPassword] = useState(settings.passwordSignIn);
  const update = useUpdateSignInSettingsMutation(settings.schoolId);
  const notice = useNotice();
  const noProviderOn = Object.values(modes).every((m) => m === 'off');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    notice.clear();
    update.mutate(
      { passwordSignIn: password, providers: Object.entries(modes).map(([id, mode]) => ({ id, mode })) },
      { onSuccess: () => notice.success(t('sso.settings.saved')) },
    );
  };

  return (
    <section aria-labelledby="sso-settings-heading">
      <h2 id="sso-settings-heading">{t('sso.settings.heading')}</h2>
      <form className="card form" onSubmit={submit} noValidate>
        <FormError message={update.isError ? errorMessage(t, update.error) : null} />
        {settings.providers.length === 0 ? (
          <p className="empty-state">{t('sso.settings.noProviders')}</p>
        ) : (
          settings.providers.map((p) => (
            <SelectField
              key={p.id}
              name={`mode-${p.id}`}
              label={p.label}
              value={modes[p.id] ?? 'off'}
              onChange={(value) => setModes((prev) => ({ ...prev, [p.id]: value as SsoMode }))}
              options={MODES.map((m) => ({ value: m, label: t(`sso.settings.modes.${m}`) }))}
              hint={t('sso.settings.modeHint')}
            />
          ))
        )}
        <CheckboxField name="passwordSignIn" label={t('sso.settings.passwordSignIn')} checked={password} onChange={setPassword} />
        {!password && noProviderOn && (
          <p className="notice notice--warning" role="status">
            {t('sso.settings.nobodyCanSignIn')}
          </p>
        )}
        <p className="field__hint">{t('sso.settings.adminsKeepPassword')}</p>
        <SubmitButton pending={update.isPending} label={t('sso.settings.save')} />
        <LiveNotice notice={notice.notice} />
      </form>
    </section>
  );
}
