import { useTranslation } from 'react-i18next';
import { updateSchoolRequestSchema } from '../../../../../shared/api/org.ts';
import { GUARDIAN_COMMENT_SETTINGS } from '../../../../../shared/api/guardian-voice.ts';
import { FormError, SelectField, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useForm } from '../../../lib/use-form.ts';
import { useUpdateSchoolMutation } from '../queries.ts';
import { useSchoolContext } from './school-layout.tsx';
import { ShareLinkAgeSetting } from '../../share-links/components/share-link-age-setting.tsx';
import { SchoolGuardianSharingForm } from '../../guardian-sharing/components/school-guardian-sharing-form.tsx';

/** The zones this browser knows, with the saved one kept even if the list lacks it (e.g. "UTC"). */
function timeZoneOptions(current: string): Array<{ value: string; label: string }> {
  const zones = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
  zones.add(current);
  return [...zones].sort().map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }));
}

export function SchoolOverviewPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(`${t('admin.school.overview')} – ${school.name}`);
  const form = useForm({ name: school.name, timeZone: school.timeZone, guardianComments: school.guardianComments });
  const update = useUpdateSchoolMutation(school.id);
  const notice = useNotice();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const payload = {
      name: form.values.name,
      timeZone: form.values.timeZone,
      // Issue 12 §2: guardian comments (off, shown at once, or after a teacher's approval).
      guardianComments: form.values.guardianComments,
    };
    if (await form.submit(updateSchoolRequestSchema, payload, (body) => update.mutateAsync(body))) {
      notice.success(t('admin.school.saved'));
    }
  };

  return (
    <section aria-labelledby="school-details-heading" className="stack">
      <h2 id="school-details-heading">{t('admin.school.overview')}</h2>
      <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
        <fieldset>
          <legend>{t('admin.school.editLegend')}</legend>
          <FormError message={form.formError} />
          <TextField label={t('admin.schools.name')} autoComplete="off" required {...form.text('name')} />
          {/* Read-only: the operator sets it (it decides where MPASSid sign-ins of that school land). */}
          <p className="field-static">
            <strong>{t('admin.schools.code')}:</strong> {school.code ?? t('admin.school.noCode')}
            <br />
            <span className="hint">{t('admin.school.codeHint')}</span>
          </p>
          <SelectField
            label={t('admin.school.timeZone')}
            hint={t('admin.school.timeZoneHint')}
            options={timeZoneOptions(school.timeZone)}
            required
            {...form.text('timeZone')}
          />
          {/* --- Guardian voice (issue 12 §2) --- */}
          <SelectField
            label={t('admin.school.guardianComments')}
            hint={t('admin.school.guardianCommentsHint')}
            options={GUARDIAN_COMMENT_SETTINGS.map((value) => ({ value, label: t(`admin.school.guardianCommentsOption.${value}`) }))}
            required
            {...form.text('guardianComments')}
          />
          {/* --- end guardian voice --- */}
          <SubmitButton pending={form.pending} label={t('common.save')} />
          <LiveNotice notice={notice.notice} />
        </fieldset>
      </form>
      {/* Issue 12 §4: a block of its own. */}
      <ShareLinkAgeSetting school={school} />
      {/* Issue 12 §1: sharing with guardians, directly or after a teacher's approval. */}
      <SchoolGuardianSharingForm schoolId={school.id} />
    </section>
  );
}
