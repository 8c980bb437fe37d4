import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { createSchoolRequestSchema } from '../../../../../shared/api/org.ts';
import { FormError, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useForm } from '../../../lib/use-form.ts';
import { useCreateSchoolMutation, useSchoolsQuery } from '../queries.ts';
import { schoolPath } from './paths.ts';

export function AdminHomePage() {
  const { t } = useTranslation();
  usePageTitle(t('admin.title'));
  const schools = useSchoolsQuery();

  return (
    <>
      <div className="page-header">
        <h1>{t('admin.heading')}</h1>
      </div>
      <section aria-labelledby="schools-heading" className="stack">
        <h2 id="schools-heading">{t('admin.schools.heading')}</h2>
        {schools.isPending && <Loading />}
        {schools.isError && <QueryError error={schools.error} onRetry={() => void schools.refetch()} />}
        {schools.isSuccess && schools.data.schools.length === 0 && <EmptyState heading={t('admin.schools.none')} headingLevel={3} />}
        {schools.isSuccess && schools.data.schools.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption>{t('admin.schools.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.schools.name')}</th>
                  <th scope="col">{t('admin.schools.code')}</th>
                </tr>
              </thead>
              <tbody>
                {schools.data.schools.map((school) => (
                  <tr key={school.id}>
                    <th scope="row">
                      <Link to={schoolPath(school.id)}>{school.name}</Link>
                    </th>
                    <td>{school.code ?? <span className="muted">{t('common.notSet')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <CreateSchoolForm />
      </section>
    </>
  );
}

function CreateSchoolForm() {
  const { t } = useTranslation();
  const form = useForm({ name: '' });
  const create = useCreateSchoolMutation();
  const notice = useNotice();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const payload = { name: form.values.name };
    let createdName = '';
    const ok = await form.submit(createSchoolRequestSchema, payload, async (body) => {
      createdName = (await create.mutateAsync(body)).name;
    });
    if (ok) {
      form.reset();
      notice.success(t('admin.schools.created', { name: createdName }));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.schools.createLegend')}</legend>
        <FormError message={form.formError} />
        <TextField label={t('admin.schools.name')} autoComplete="off" required {...form.text('name')} />
        <SubmitButton pending={form.pending} label={t('admin.schools.createSubmit')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}
