import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { createUserRequestSchema } from '../../../../../shared/api/org.ts';
import { LOCALES, SCHOOL_ROLES, type SchoolRole } from '../../../../../shared/roles.ts';
import { FormError, SelectField, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { LANGUAGE_ENDONYMS } from '../../../i18n/i18n.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { emptyToUndefined, useForm } from '../../../lib/use-form.ts';
import { useCreateUserMutation, useSchoolUsersQuery } from '../queries.ts';
import { userPath } from './paths.ts';
import { useSchoolContext } from './school-layout.tsx';

const isRole = (value: string | null): value is SchoolRole => (SCHOOL_ROLES as readonly (string | null)[]).includes(value);

export function UsersPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(`${t('admin.users.heading')} – ${school.name}`);
  // The filter lives in the URL, so that it survives reloads and the back button.
  const [params, setParams] = useSearchParams();
  const roleParam = params.get('role');
  const role = isRole(roleParam) ? roleParam : undefined;
  const users = useSchoolUsersQuery(school.id, role);

  const roleOptions = [{ value: '', label: t('admin.users.allRoles') }, ...SCHOOL_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))];

  return (
    <section aria-labelledby="users-heading" className="stack">
      <h2 id="users-heading">{t('admin.users.heading')}</h2>
      <div className="filter-bar">
        <SelectField
          name="role-filter"
          label={t('admin.users.filter')}
          value={role ?? ''}
          options={roleOptions}
          onChange={(value) => setParams(value ? { role: value } : {}, { replace: true })}
        />
      </div>
      {users.isPending && <Loading />}
      {users.isError && <QueryError error={users.error} onRetry={() => void users.refetch()} />}
      {users.isSuccess && users.data.users.length === 0 && <EmptyState heading={t('admin.users.none')} headingLevel={3} />}
      {users.isSuccess && users.data.users.length > 0 && (
        <div className="table-wrap table-wrap--stack">
          <table>
            <caption>
              {t('admin.users.caption', { school: school.name })}
              {role ? ` (${t(`roles.${role}`)})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.username')}</th>
                <th scope="col">{t('admin.users.roles')}</th>
                <th scope="col">{t('admin.users.status')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((user) => (
                <tr key={user.id}>
                  <th scope="row">
                    <Link to={userPath(school.id, user.id)}>{user.displayName}</Link>
                  </th>
                  <td data-label={t('admin.users.username')}>{user.username}</td>
                  <td data-label={t('admin.users.roles')}>{user.roles.map((r) => t(`roles.${r}`)).join(', ')}</td>
                  <td data-label={t('admin.users.status')}>
                    <span className={user.active ? 'badge badge--ok' : 'badge badge--off'}>
                      {user.active ? t('admin.users.active') : t('admin.users.inactive')}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
