import { useTranslation } from 'react-i18next';
import { createUserRequestSchema } from '../../../../../shared/api/org.ts';
import { LOCALES, SCHOOL_ROLES } from '../../../../../shared/roles.ts';
import { FormError, SelectField, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { LANGUAGE_ENDONYMS } from '../../../i18n/i18n.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { emptyToUndefined, useForm } from '../../../lib/use-form.ts';
import { useCreateUserMutation } from '../queries.ts';
import { UserDirectory } from '../../sign-in-cards/components/user-directory.tsx';
import { useSchoolContext } from './school-layout.tsx';

export function UsersPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(`${t('admin.users.heading')} – ${school.name}`);
  return (
    <section aria-labelledby="users-heading" className="stack">
      <h2 id="users-heading">{t('admin.users.heading')}</h2>
      {/* Issue 11 §6: search, filters, pages and bulk actions (features/sign-in-cards). */}
      <UserDirectory schoolId={school.id} schoolName={school.name} />
      <CreateUserForm schoolId={school.id} />
    </section>
  );
}

function CreateUserForm({ schoolId }: { schoolId: string }) {
  const { t } = useTranslation();
  const initial = { username: '', displayName: '', email: '', role: 'pupil', locale: '', password: '' };
  const form = useForm(initial);
  const create = useCreateUserMutation(schoolId);
  const notice = useNotice();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const v = form.values;
    const payload = {
      username: v.username,
      displayName: v.displayName,
      email: emptyToUndefined(v.email),
      role: v.role,
      locale: emptyToUndefined(v.locale),
      password: v.password === '' ? undefined : v.password,
    };
    if (await form.submit(createUserRequestSchema, payload, (body) => create.mutateAsync(body))) {
      form.reset({ ...initial, role: v.role });
      notice.success(t('admin.users.created', { name: payload.displayName.trim() }));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.users.createLegend')}</legend>
        <FormError message={form.formError} />
        <TextField label={t('admin.users.displayName')} autoComplete="off" required {...form.text('displayName')} />
        <TextField
          label={t('admin.users.username')}
          hint={t('validation.username')}
          autoComplete="off"
          spellCheck={false}
          required
          {...form.text('username')}
        />
        <SelectField label={t('admin.users.role')} options={SCHOOL_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} required {...form.text('role')} />
        <TextField label={t('admin.users.email')} type="email" autoComplete="off" optional {...form.text('email')} />
        <SelectField
          label={t('admin.users.locale')}
          options={[{ value: '', label: t('admin.users.localeDefault') }, ...LOCALES.map((l) => ({ value: l, label: LANGUAGE_ENDONYMS[l], lang: l }))]}
          optional
          {...form.text('locale')}
        />
        <TextField
          label={t('admin.users.password')}
          type="password"
          hint={t('admin.users.passwordHint')}
          autoComplete="new-password"
          optional
          {...form.text('password')}
        />
        <SubmitButton pending={form.pending} label={t('admin.users.createSubmit')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}
