import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { updateUserRequestSchema, type UserDetail } from '../../../../../shared/api/org.ts';
import { LOCALES } from '../../../../../shared/roles.ts';
import { CheckboxField, FormError, SelectField, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { LANGUAGE_ENDONYMS } from '../../../i18n/i18n.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { ExportPanel } from '../../portability/components/export-panel.tsx';
import { LinkCodePanel } from '../../sso/components/link-code-panel.tsx';
import { PupilInvitationsPanel } from '../../invitations/components/pupil-invitations-panel.tsx';
import { emptyToNull, useForm } from '../../../lib/use-form.ts';
import { useUpdateUserMutation, useUserQuery } from '../queries.ts';
import { groupPath, userPath, usersPath } from './paths.ts';
import { useSchoolContext } from './school-layout.tsx';

export function UserPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  const { userId = '' } = useParams();
  const user = useUserQuery(userId);
  usePageTitle(user.data ? `${user.data.displayName} – ${school.name}` : user.isError ? pageErrorHeading(t, user.error) : t('common.loading'));

  return (
    <div className="stack">
      <p className="back-link">
        <Link to={usersPath(school.id)}>{t('admin.user.backToUsers')}</Link>
      </p>
      {user.isPending && <Loading />}
      {user.isError && <QueryError error={user.error} onRetry={() => void user.refetch()} />}
      {user.isSuccess && (
        <>
          <h2>{user.data.displayName}</h2>
          <EditUserForm key={user.data.id} user={user.data} />
          <UserFacts user={user.data} schoolId={school.id} />
          {user.data.roles.some((r) => r.schoolId === school.id && r.role === 'pupil') && <ExportPanel pupilId={user.data.id} />}
          {user.data.roles.some((r) => r.schoolId === school.id && r.role === 'pupil') && user.data.active && (
            <PupilInvitationsPanel pupilId={user.data.id} pupilName={user.data.displayName} />
          )}
          {!user.data.roles.some((r) => r.role === 'admin') && <LinkCodePanel userId={user.data.id} schoolId={school.id} />}
        </>
      )}
    </div>
  );
}

function EditUserForm({ user }: { user: UserDetail }) {
  const { t } = useTranslation();
  const form = useForm({
    displayName: user.displayName,
    email: user.email ?? '',
    locale: user.locale ?? '',
    active: user.active,
    password: '',
  });
  const update = useUpdateUserMutation(user.id);
  const notice = useNotice();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const v = form.values;
    const payload = {
      displayName: v.displayName,
      email: emptyToNull(v.email),
      locale: emptyToNull(v.locale),
      active: v.active,
      ...(v.password === '' ? {} : { password: v.password }),
    };
    if (await form.submit(updateUserRequestSchema, payload, (body) => update.mutateAsync(body))) {
      form.setValues((prev) => ({ ...prev, password: '' }));
      notice.success(t('admin.user.saved'));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.user.editLegend')}</legend>
        <FormError message={form.formError} />
        <p className="muted">
          {t('admin.users.username')}: <strong>{user.username}</strong>
        </p>
        <TextField label={t('admin.users.displayName')} autoComplete="off" required {...form.text('displayName')} />
        <TextField label={t('admin.users.email')} type="email" autoComplete="off" optional {...form.text('email')} />
        <SelectField
          label={t('admin.users.locale')}
          options={[{ value: '', label: t('admin.users.localeDefault') }, ...LOCALES.map((l) => ({ value: l, label: LANGUAGE_ENDONYMS[l], lang: l }))]}
          optional
          {...form.text('locale')}
        />
        <CheckboxField label={t('admin.user.activeLabel')} {...form.checkbox('active')} />
        <TextField
          label={t('admin.user.newPassword')}
          type="password"
          hint={t('admin.user.newPasswordHint')}
          autoComplete="new-password"
          optional
          {...form.text('password')}
        />
        <SubmitButton pending={form.pending} label={t('common.save')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}

function UserFacts({ user, schoolId }: { user: UserDetail; schoolId: string }) {
  const { t } = useTranslation();
  const none = <span className="muted">{t('admin.user.none')}</span>;
  const roles = [...new Set(user.roles.filter((r) => r.schoolId === schoolId).map((r) => r.role))];
  return (
    <dl className="card facts">
      <div>
        <dt>{t('admin.user.roles')}</dt>
        <dd>{roles.length ? roles.map((r) => t(`roles.${r}`)).join(', ') : none}</dd>
      </div>
      <div>
        <dt>{t('admin.user.groups')}</dt>
        <dd>
          {user.groups.length
            ? user.groups.map((g, i) => (
                <span key={g.id}>
                  {i > 0 && ', '}
                  <Link to={groupPath(schoolId, g.id)}>{g.name}</Link> ({t(`roles.${g.role}`)})
                </span>
              ))
            : none}
        </dd>
      </div>
      <div>
        <dt>{t('admin.user.guardians')}</dt>
        <dd>
          {user.guardians.length
            ? user.guardians.map((g, i) => (
                <span key={g.id}>
                  {i > 0 && ', '}
                  <Link to={userPath(schoolId, g.id)}>{g.displayName}</Link>
                </span>
              ))
            : none}
        </dd>
      </div>
      <div>
        <dt>{t('admin.user.children')}</dt>
        <dd>
          {user.children.length
            ? user.children.map((c, i) => (
                <span key={c.id}>
                  {i > 0 && ', '}
                  <Link to={userPath(schoolId, c.id)}>{c.displayName}</Link>
                </span>
              ))
            : none}
        </dd>
      </div>
    </dl>
  );
}
