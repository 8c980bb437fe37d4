import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import type { GuardianLink } from '../../../../../shared/api/org.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError, SelectField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useForm } from '../../../lib/use-form.ts';
import { useCreateGuardianLinkMutation, useDeleteGuardianLinkMutation, useGuardianLinksQuery, useSchoolUsersQuery } from '../queries.ts';
import { chosenId } from '../form-schemas.ts';
import { useSchoolContext } from './school-layout.tsx';

const createLinkSchema = z.object({ guardianId: chosenId, pupilId: chosenId });

export function GuardianLinksPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(`${t('admin.links.heading')} – ${school.name}`);
  const links = useGuardianLinksQuery(school.id);
  const remove = useDeleteGuardianLinkMutation();
  const confirm = useConfirm();
  const notice = useNotice();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const format = useFormat();

  const onDelete = async (link: GuardianLink) => {
    const names = { guardian: link.guardian.displayName, pupil: link.pupil.displayName };
    if (!(await confirm(t('admin.links.deleteConfirm', names), t('admin.links.delete')))) return;
    try {
      await remove.mutateAsync({ guardianId: link.guardian.id, pupilId: link.pupil.id });
      notice.success(t('admin.links.deleted', names));
      headingRef.current?.focus();
    } catch (error) {
      notice.error(errorText(error));
    }
  };

  return (
    <section aria-labelledby="links-heading" className="stack">
      <h2 id="links-heading" ref={headingRef} tabIndex={-1}>
        {t('admin.links.heading')}
      </h2>
      <p>{t('admin.links.intro')}</p>
      <LiveNotice notice={notice.notice} />
      {links.isPending && <Loading />}
      {links.isError && <QueryError error={links.error} onRetry={() => void links.refetch()} />}
      {links.isSuccess && links.data.links.length === 0 && <EmptyState heading={t('admin.links.none')} headingLevel={3} />}
      {links.isSuccess && links.data.links.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>{t('admin.links.caption', { school: school.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.links.guardian')}</th>
                <th scope="col">{t('admin.links.pupil')}</th>
                <th scope="col">{t('admin.links.createdAt')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {links.data.links.map((link) => (
                <tr key={`${link.guardian.id}-${link.pupil.id}`}>
                  <th scope="row">{link.guardian.displayName}</th>
                  <td>{link.pupil.displayName}</td>
                  <td>{format.date(link.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--small button--danger-outline"
                      aria-label={t('admin.links.deleteLabel', { guardian: link.guardian.displayName, pupil: link.pupil.displayName })}
                      onClick={() => void onDelete(link)}
                    >
                      {t('admin.links.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateLinkForm schoolId={school.id} existing={links.data?.links ?? []} />
    </section>
  );
}

function CreateLinkForm({ schoolId, existing }: { schoolId: string; existing: readonly GuardianLink[] }) {
  const { t } = useTranslation();
  const form = useForm({ guardianId: '', pupilId: '' });
  const guardians = useSchoolUsersQuery(schoolId, 'guardian');
  const pupils = useSchoolUsersQuery(schoolId, 'pupil');
  const create = useCreateGuardianLinkMutation();
  const notice = useNotice();

  const linkedPupils = new Set(existing.filter((l) => l.guardian.id === form.values.guardianId).map((l) => l.pupil.id));
  const guardianOptions = (guardians.data?.users ?? []).map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }));
  const pupilOptions = (pupils.data?.users ?? [])
    .filter((u) => !linkedPupils.has(u.id))
    .map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }));

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const guardian = guardians.data?.users.find((u) => u.id === form.values.guardianId);
    const pupil = pupils.data?.users.find((u) => u.id === form.values.pupilId);
    if (await form.submit(createLinkSchema, form.values, (body) => create.mutateAsync(body))) {
      form.reset();
      notice.success(t('admin.links.created', { guardian: guardian?.displayName ?? '', pupil: pupil?.displayName ?? '' }));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.links.createLegend')}</legend>
        <FormError message={form.formError} />
        {guardians.isError && <QueryError error={guardians.error} onRetry={() => void guardians.refetch()} />}
        {pupils.isError && <QueryError error={pupils.error} onRetry={() => void pupils.refetch()} />}
        <SelectField
          label={t('admin.links.guardian')}
          placeholder={guardians.isPending ? t('common.loading') : t('admin.links.chooseGuardian')}
          options={guardianOptions}
          required
          {...form.text('guardianId')}
        />
        <SelectField
          label={t('admin.links.pupil')}
          placeholder={pupils.isPending ? t('common.loading') : t('admin.links.choosePupil')}
          options={pupilOptions}
          required
          {...form.text('pupilId')}
        />
        <SubmitButton pending={form.pending} label={t('admin.links.createSubmit')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}
