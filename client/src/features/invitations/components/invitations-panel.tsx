import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InvitationLetter, InvitationLetters } from '../../../../../shared/api/invitations.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError } from '../../../components/form-fields.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { invitationsApi } from '../api.ts';
import { mailStatusKey } from './password-reset-pages.tsx';
import { InvitationLettersView } from './invitation-letters.tsx';

const groupKey = (groupId: string) => ['guardian-invitations', 'group', groupId] as const;

/** A group's guardian invitations (for its teacher or the school's admin): invite all, re-send, withdraw, print letters. */
export function GroupInvitationsPanel({ groupId }: { groupId: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const confirm = useConfirm();
  const format = useFormat();
  const list = useQuery({ queryKey: groupKey(groupId), queryFn: () => invitationsApi.forGroup(groupId) });
  const mail = useQuery({ queryKey: mailStatusKey, queryFn: invitationsApi.mailStatus, staleTime: 5 * 60_000 });
  const [letters, setLetters] = useState<InvitationLetter[]>([]);
  const done = (result: InvitationLetters) => {
    setLetters(result.letters);
    void queryClient.invalidateQueries({ queryKey: groupKey(groupId) });
  };
  const inviteAll = useMutation({ mutationFn: () => invitationsApi.inviteGroup(groupId), onSuccess: done });
  const resend = useMutation({ mutationFn: (id: string) => invitationsApi.resend(id), onSuccess: done });
  const revoke = useMutation({
    mutationFn: (id: string) => invitationsApi.revoke(id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: groupKey(groupId) }),
  });
  const failure = inviteAll.error ?? resend.error ?? revoke.error;

  return (
    <section className="stack invitations-panel" aria-labelledby={`invitations-${groupId}`}>
      <h2 id={`invitations-${groupId}`}>{t('invitations.panel.heading')}</h2>
      <p>{mail.data?.email === false ? t('invitations.panel.noEmail') : t('invitations.panel.intro')}</p>
      <FormError message={failure ? t('invitations.panel.failed') : null} />
      <p>
        <button type="button" className="button button--primary" disabled={inviteAll.isPending} onClick={() => inviteAll.mutate()}>
          {t('invitations.panel.inviteGroup')}
        </button>
      </p>
      {list.isPending && <Loading />}
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      {list.isSuccess &&
        (list.data.invitations.length === 0 ? (
          <p>{t('invitations.panel.empty')}</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">{t('invitations.panel.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('invitations.panel.pupil')}</th>
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
                  <td>{inv.pupil.displayName}</td>
                  <td>
                    {t(`invitations.states.${inv.state}`)}
                    {inv.acceptedBy ? ` (${inv.acceptedBy.displayName})` : ''}
                  </td>
                  <td>{format.date(inv.expiresAt)}</td>
                  <td className="invitations-actions">
                    {inv.state !== 'accepted' && inv.state !== 'revoked' && (
                      <>
                        <button type="button" className="button" onClick={() => resend.mutate(inv.id)}>
                          {t('invitations.panel.resend', { pupil: inv.pupil.displayName })}
                        </button>
                        <button
                          type="button"
                          className="button button--danger"
                          onClick={async () => {
                            if (await confirm(t('invitations.panel.revokeConfirm', { pupil: inv.pupil.displayName }), t('invitations.panel.revoke')))
                              revoke.mutate(inv.id);
                          }}
                        >
                          {t('invitations.panel.revokeFor', { pupil: inv.pupil.displayName })}
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
