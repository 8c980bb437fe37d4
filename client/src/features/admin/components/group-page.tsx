import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { putMemberRequestSchema, updateGroupRequestSchema, type GroupDetail, type GroupMember } from '../../../../../shared/api/org.ts';
import { GROUP_ROLES, type GroupRole } from '../../../../../shared/roles.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError, SelectField, TextField, SubmitButton } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, pageErrorHeading, QueryError } from '../../../components/status.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { emptyToNull, useForm } from '../../../lib/use-form.ts';
import { useGroupQuery, usePutMemberMutation, useRemoveMemberMutation, useSchoolUsersQuery, useUpdateGroupMutation } from '../queries.ts';
import { chosenId } from '../form-schemas.ts';
import { groupsPath } from './paths.ts';
import { useSchoolContext } from './school-layout.tsx';
import { GroupInvitationsPanel } from '../../invitations/components/invitations-panel.tsx';

const addMemberSchema = putMemberRequestSchema.extend({ userId: chosenId });

export function GroupPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  const { groupId = '' } = useParams();
  const detail = useGroupQuery(groupId);
  usePageTitle(detail.data ? `${detail.data.group.name} – ${school.name}` : detail.isError ? pageErrorHeading(t, detail.error) : t('common.loading'));

  return (
    <div className="stack">
      <p className="back-link">
        <Link to={groupsPath(school.id)}>{t('admin.groups.backToGroups')}</Link>
      </p>
      {detail.isPending && <Loading />}
      {detail.isError && <QueryError error={detail.error} onRetry={() => void detail.refetch()} />}
      {detail.isSuccess && (
        <>
          <h2>{detail.data.group.name}</h2>
          <p>
            <Link to={`/groups/${encodeURIComponent(detail.data.group.id)}/cards`}>{t('signInCards.group.link')}</Link>
          </p>
          {/* Keyed by id so the form starts from the saved values when another group opens. */}
          <EditGroupForm key={detail.data.group.id} detail={detail.data} />
          <Members detail={detail.data} schoolId={school.id} />
          <GroupInvitationsPanel groupId={detail.data.group.id} />
        </>
      )}
    </div>
  );
}

function EditGroupForm({ detail }: { detail: GroupDetail }) {
  const { t } = useTranslation();
  const { group } = detail;
  const form = useForm({ name: group.name, schoolYear: group.schoolYear ?? '' });
  const update = useUpdateGroupMutation(group.id);
  const notice = useNotice();

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const payload = { name: form.values.name, schoolYear: emptyToNull(form.values.schoolYear) };
    if (await form.submit(updateGroupRequestSchema, payload, (body) => update.mutateAsync(body))) {
      notice.success(t('admin.group.saved'));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.group.editLegend')}</legend>
        <FormError message={form.formError} />
        <TextField label={t('admin.groups.name')} autoComplete="off" required {...form.text('name')} />
        <TextField label={t('admin.groups.schoolYear')} hint={t('admin.groups.schoolYearHint')} autoComplete="off" optional {...form.text('schoolYear')} />
        <SubmitButton pending={form.pending} label={t('common.save')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}

function Members({ detail, schoolId }: { detail: GroupDetail; schoolId: string }) {
  const { t } = useTranslation();
  const { group, members } = detail;
  const confirm = useConfirm();
  const remove = useRemoveMemberMutation(group.id);
  const notice = useNotice();
  const headingRef = useRef<HTMLHeadingElement>(null);

  const onRemove = async (member: GroupMember) => {
    const ok = await confirm(t('admin.group.removeConfirm', { name: member.displayName, group: group.name }), t('admin.group.remove'));
    if (!ok) return;
    try {
      await remove.mutateAsync(member.userId);
      notice.success(t('admin.group.removed', { name: member.displayName }));
      // The row and its button are gone: continue from the section's heading.
      headingRef.current?.focus();
    } catch (error) {
      notice.error(errorText(error));
    }
  };

  return (
    <section aria-labelledby="members-heading" className="stack">
      <h3 id="members-heading" ref={headingRef} tabIndex={-1}>
        {t('admin.group.membersHeading')}
      </h3>
      <LiveNotice notice={notice.notice} />
      {members.length === 0 ? (
        <p className="muted">{t('admin.group.noMembers')}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>{t('admin.group.membersCaption', { group: group.name })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.group.name')}</th>
                <th scope="col">{t('admin.group.username')}</th>
                <th scope="col">{t('admin.group.role')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={`${member.userId}-${member.role}`}>
                  <th scope="row">{member.displayName}</th>
                  <td>{member.username}</td>
                  <td>{t(`roles.${member.role}`)}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--small button--danger-outline"
                      aria-label={t('admin.group.removeLabel', { name: member.displayName })}
                      onClick={() => void onRemove(member)}
                    >
                      {t('admin.group.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddMemberForm detail={detail} schoolId={schoolId} />
    </section>
  );
}

function AddMemberForm({ detail, schoolId }: { detail: GroupDetail; schoolId: string }) {
  const { t } = useTranslation();
  const form = useForm({ role: 'pupil', userId: '' });
  const role: GroupRole = form.values.role === 'teacher' ? 'teacher' : 'pupil';
  const users = useSchoolUsersQuery(schoolId, role);
  const put = usePutMemberMutation(detail.group.id);
  const notice = useNotice();

  const memberIds = new Set(detail.members.map((m) => m.userId));
  const candidates = (users.data?.users ?? []).filter((u) => u.active && !memberIds.has(u.id));

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const person = candidates.find((u) => u.id === form.values.userId);
    const ok = await form.submit(addMemberSchema, form.values, ({ userId, role }) => put.mutateAsync({ userId, role }));
    if (ok) {
      form.reset({ role: form.values.role, userId: '' });
      notice.success(t('admin.group.added', { name: person?.displayName ?? '' }));
    }
  };

  return (
    <form id={form.formId} onSubmit={onSubmit} noValidate className="card form">
      <fieldset>
        <legend>{t('admin.group.addLegend')}</legend>
        <FormError message={form.formError} />
        <SelectField
          label={t('admin.group.role')}
          options={GROUP_ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          required
          {...form.text('role')}
          onChange={(value) => form.setValues({ role: value, userId: '' })}
        />
        {users.isError && <QueryError error={users.error} onRetry={() => void users.refetch()} />}
        <SelectField
          label={t('admin.group.user')}
          placeholder={users.isPending ? t('common.loading') : t('admin.group.chooseUser')}
          options={candidates.map((u) => ({ value: u.id, label: `${u.displayName} (${u.username})` }))}
          hint={users.isSuccess && candidates.length === 0 ? t('admin.group.noCandidates') : undefined}
          required
          {...form.text('userId')}
        />
        <SubmitButton pending={form.pending} label={t('admin.group.addSubmit')} />
        <LiveNotice notice={notice.notice} />
      </fieldset>
    </form>
  );
}
