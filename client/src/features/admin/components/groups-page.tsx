import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { createGroupRequestSchema } from '../../../../../shared/api/org.ts';
import { FormError, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { emptyToUndefined, useForm } from '../../../lib/use-form.ts';
import { useCreateGroupMutation, useGroupsQuery } from '../queries.ts';
import { groupPath } from './paths.ts';
import { useSchoolContext } from './school-layout.tsx';

export function GroupsPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(`${t('admin.groups.heading')} – ${school.name}`);
  const groups = useGroupsQuery(school.id);

  return (
    <section aria-labelledby="groups-heading" className="stack">
      <h2 id="groups-heading">{t('admin.groups.heading')}</h2>
      {groups.isPending && <Loading />}
      {groups.isError && <QueryError error={groups.error} onRetry={() => void groups.refetch()} />}
      {groups.isSuccess && groups.data.groups.length === 0 && <EmptyState heading={t('admin.groups.none')} headingLevel={3} />}
      {groups.isSuccess && groups.data.groups.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>{t('admin.groups.caption', { school: school.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.groups.name')}</th>
                <th scope="col">{t('admin.groups.schoolYear')}</th>
                <th scope="col" className="numeric">
                  {t('admin.groups.members')}
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.data.groups.map((group) => (
                <tr key={group.id}>
                  <th scope="row">
                    <Link to={groupPath(school.id, group.id)}>{group.name}</Link>
                  </th>
                  <td>{group.schoolYear ?? <span className="muted">{t('common.notSet')}</span>}</td>
                  <td className="numeric">{group.memberCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateGroupForm schoolId={school.id} />
    </section>
  );
}

function CreateGroupForm({ schoolId }: { schoolId: string }) {
  const { t } = useTranslation();
  const form = useForm({ name: '', schoolYear: '' });
  const create = useCreateGroupMutation(schoolId);
  const notice = useNotice();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const payload = { name: form.values.name, schoolYear: emptyToUndefined(form.values.schoolYear) };
    let createdName = '';
    const ok = await form.submit(createGroupRequestSchema, payload, async (body) => {
      createdName = (await create.mutateAsync(body)).name;
    });
    if (ok) {
      form.reset();
      notice.success(t('admin.groups.created', { name: createdName }));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.groups.createLegend')}</legend>
        <FormError message={form.formError} />
        <TextField label={t('admin.groups.name')} autoComplete="off" required {...form.text('name')} />
        <TextField label={t('admin.groups.schoolYear')} hint={t('admin.groups.schoolYearHint')} autoComplete="off" optional {...form.text('schoolYear')} />
        <SubmitButton pending={form.pending} label={t('admin.groups.createSubmit')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}
