import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { guardianEmailSchema, type InvitationLetter, type InvitationLetters } from '../../../../../shared/api/invitations.ts';
import { localeSchema } from '../../../../../shared/api/common.ts';
import { LOCALES } from '../../../../../shared/roles.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError, SelectField, SubmitButton, TextField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { LANGUAGE_ENDONYMS } from '../../../i18n/i18n.ts';
import { useFormat } from '../../../lib/format.ts';
import { emptyToUndefined, useForm } from '../../../lib/use-form.ts';
import { invitationsApi } from '../api.ts';
import { InvitationLettersView } from './invitation-letters.tsx';
import { mailStatusKey } from './password-reset-pages.tsx';

export const pupilInvitationsKey = (pupilId: string) => ['guardian-invitations', 'pupil', pupilId] as const;

// What the form checks before sending: the same address rule as the server's.
const inviteFormSchema = z.object({ email: guardianEmailSchema.optional(), locale: localeSchema.optional() });

/**
 * One pupil's guardian invitations (issue 11 §4), where an admin or the pupil's teacher sees the pupil:
 * invite a guardian (e-mailed when an address is typed and this Polku sends e-mail; always a letter),
 * and see, re-send or withdraw earlier invitations.
 */
export function PupilInvitationsPanel({ pupilId, pupilName }: { pupilId: string; pupilName: string }) {
  const { t } = useTranslation();
  const headingId = useId();
  const queryClient = useQueryClient();
  const confirm = useConfirm();
  const format = useFormat();
  const notice = useNotice();
  const list = useQuery({ queryKey: pupilInvitationsKey(pupilId), queryFn: () => invitationsApi.forPupil(pupilId) });
  const mail = useQuery({ queryKey: mailStatusKey, queryFn: invitationsApi.mailStatus, staleTime: 5 * 60_000 });
  const sendsEmail = mail.data?.email === true;
  const [letters, setLetters] = useState<InvitationLetter[]>([]);
  const form = useForm({ email: '', locale: '' });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: ['guardian-invitations'] })]);
  const showLetters = (result: InvitationLetters) => {
    setLetters(result.letters);
    const letter = result.letters[0];
    if (letter) notice.success((tt) => (letter.emailed ? tt('invitations.pupil.emailed') : tt('invitations.pupil.letterMade')));
    return refresh();
  };
  const resend = useMutation({ mutationFn: (id: string) => invitationsApi.resend(id), onSuccess: showLetters });
  const revoke = useMutation({ mutationFn: (id: string) => invitationsApi.revoke(id), onSuccess: refresh });

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    notice.clear();
    const payload = { email: sendsEmail ? emptyToUndefined(form.values.email) : undefined, locale: emptyToUndefined(form.values.locale) };
    const ok = await form.submit(inviteFormSchema, payload, async (body) => showLetters(await invitationsApi.invitePupil(pupilId, body.email, body.locale)));
    if (ok) form.reset({ email: '', locale: form.values.locale });
  };

  return (
    <section className="card stack invitations-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('invitations.pupil.heading', { pupil: pupilName })}</h2>
      {mail.isSuccess && <p>{sendsEmail ? t('invitations.pupil.intro') : t('invitations.pupil.noEmail')}</p>}
      <form id={form.formId} onSubmit={onSubmit} noValidate className="form">
        <fieldset>
          <legend>{t('invitations.pupil.legend')}</legend>
          <FormError message={form.formError} />
          {sendsEmail && (
            <TextField
              label={t('invitations.pupil.email')}
              type="email"
              autoComplete="off"
              spellCheck={false}
              hint={t('invitations.pupil.emailHint')}
              optional
              {...form.text('email')}
            />
          )}
          <SelectField
            label={t('invitations.pupil.locale')}
            options={[{ value: '', label: t('invitations.pupil.localeDefault') }, ...LOCALES.map((l) => ({ value: l, label: LANGUAGE_ENDONYMS[l], lang: l }))]}
            optional
            {...form.text('locale')}
          />
          <SubmitButton pending={form.pending} label={t('invitations.pupil.submit')} />
        </fieldset>
      </form>
      <LiveNotice notice={notice.notice} />
      <FormError message={resend.error || revoke.error ? t('invitations.panel.failed') : null} />
      {list.isPending && <Loading />}
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      {list.isSuccess &&
        (list.data.invitations.length === 0 ? (
          <p>{t('invitations.panel.empty')}</p>
        ) : (
          <table className="table">
            <caption>{t('invitations.pupil.caption', { pupil: pupilName })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('invitations.pupil.made')}</th>
                <th scope="col">{t('invitations.panel.state')}</th>
                <th scope="col">{t('invitations.panel.expires')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('invitations.panel.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.invitations.map((inv) => (
                <tr key={inv.id}>
                  <td>
                    {format.date(inv.createdAt)}
                    {inv.email ? ` (${inv.email})` : ''}
                  </td>
                  <td>
                    {t(`invitations.states.${inv.state}`)}
                    {inv.acceptedBy ? ` (${inv.acceptedBy.displayName})` : ''}
                  </td>
                  <td>{format.date(inv.expiresAt)}</td>
                  <td className="invitations-actions">
                    {inv.state !== 'accepted' && inv.state !== 'revoked' && (
                      <>
                        <button type="button" className="button" disabled={resend.isPending} onClick={() => resend.mutate(inv.id)}>
                          {t('invitations.pupil.resend', { date: format.date(inv.createdAt) })}
                        </button>
                        <button
                          type="button"
                          className="button button--danger"
                          disabled={revoke.isPending}
                          onClick={async () => {
                            if (await confirm(t('invitations.panel.revokeConfirm', { pupil: pupilName }), t('invitations.panel.revoke'))) revoke.mutate(inv.id);
                          }}
                        >
                          {t('invitations.pupil.revoke', { date: format.date(inv.createdAt) })}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {letters.length > 0 && <InvitationLettersView letters={letters} />}
    </section>
  );
}
