import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import type { CardState, IssuedCardsResponse } from '../../../../../shared/api/sign-in-cards.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { EmptyState, Loading, QueryError, pageErrorHeading } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { useMeQuery } from '../../auth/queries.ts';
import { useGroupCardsQuery, useGroupPdfMutation, useIssueGroupCardsMutation, useRevokeCardsMutation } from '../queries.ts';
import { CardSheet } from './card-sheet.tsx';
import { CardHoursForm } from './card-hours-form.tsx';

/** A group's sign-in cards: who has one, print (page or PDF), revoke one or all. */
export function GroupCardsPage() {
  const { t } = useTranslation();
  const { groupId = '' } = useParams();
  const cards = useGroupCardsQuery(groupId);
  const me = useMeQuery();
  usePageTitle(
    cards.data ? t('signInCards.group.title', { group: cards.data.groupName }) : cards.isError ? pageErrorHeading(t, cards.error) : t('common.loading'),
  );
  const [issued, setIssued] = useState<IssuedCardsResponse | null>(null);

  if (cards.isPending) return <Loading />;
  if (cards.isError) return <QueryError error={cards.error} onRetry={() => void cards.refetch()} />;
  const isAdmin = me.data?.roles.some((r) => r.role === 'admin' && r.schoolId === cards.data.schoolId) ?? false;

  return (
    <div className="stack sign-in-cards">
      <div className="card-sheet__hide">
        <h1>{t('signInCards.group.title', { group: cards.data.groupName })}</h1>
        <p className="lead">{t('signInCards.group.intro')}</p>
      </div>
      {issued ? (
        <CardSheet issued={issued} onClose={() => setIssued(null)} />
      ) : cards.data.pupils.length === 0 ? (
        <EmptyState heading={t('signInCards.group.noPupils')} headingLevel={2} />
      ) : (
        <CardTable groupId={groupId} pupils={cards.data.pupils} onIssued={setIssued} />
      )}
      <div className="card-sheet__hide">
        <CardHoursForm schoolId={cards.data.schoolId} editable={isAdmin} />
      </div>
    </div>
  );
}

function CardTable({ groupId, pupils, onIssued }: { groupId: string; pupils: CardState[]; onIssued: (issued: IssuedCardsResponse) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const confirm = useConfirm();
  const notice = useNotice();
  const issue = useIssueGroupCardsMutation(groupId);
  const pdf = useGroupPdfMutation(groupId);
  const revoke = useRevokeCardsMutation(groupId);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const chosen = selected.size > 0 ? pupils.filter((p) => selected.has(p.pupilId)) : pupils;
  const chosenIds = selected.size > 0 ? [...selected] : undefined;

  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  /** Printing makes new cards: any earlier card of these pupils stops working, so say so first. */
  const replacing = async () => {
    const withCard = chosen.filter((p) => p.issuedAt !== null).length;
    return withCard === 0 || confirm(t('signInCards.group.replaceConfirm', { count: withCard }), t('signInCards.group.replaceConfirmButton'));
  };

  const print = async () => {
    setError(null);
    if (!(await replacing())) return;
    issue.mutate(chosenIds, { onSuccess: onIssued, onError: setError });
  };
  const downloadPdf = async () => {
    setError(null);
    if (!(await replacing())) return;
    pdf.mutate(chosenIds, { onSuccess: () => notice.success(t('signInCards.group.pdfReady')), onError: setError });
  };
  const revokeOne = async (pupil: CardState) => {
    setError(null);
    if (!(await confirm(t('signInCards.group.revokeConfirm', { name: pupil.displayName }), t('signInCards.group.revokeConfirmButton')))) return;
    revoke.mutate([pupil.pupilId], { onSuccess: () => notice.success(t('signInCards.group.revoked', { name: pupil.displayName })), onError: setError });
  };
  const revokeAll = async () => {
    setError(null);
    if (!(await confirm(t('signInCards.group.revokeAllConfirm'), t('signInCards.group.revokeConfirmButton')))) return;
    revoke.mutate(undefined, { onSuccess: (r) => notice.success(t('signInCards.group.revokedAll', { count: r.revoked })), onError: setError });
  };

  return (
    <section aria-labelledby="cards-heading" className="stack">
      <h2 id="cards-heading">{t('signInCards.group.pupilsHeading')}</h2>
      <FormError message={error ? errorMessage(t, error) : null} />
      <div className="table-wrap table-wrap--stack">
        <table>
          <caption className="visually-hidden">{t('signInCards.group.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t('signInCards.group.choose')}</span>
              </th>
              <th scope="col">{t('signInCards.group.name')}</th>
              <th scope="col">{t('signInCards.group.card')}</th>
              <th scope="col">{t('signInCards.group.lastUsed')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('signInCards.group.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pupils.map((pupil) => (
              <tr key={pupil.pupilId}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('signInCards.group.chooseOne', { name: pupil.displayName })}
                    checked={selected.has(pupil.pupilId)}
                    onChange={(e) => toggle(pupil.pupilId, e.target.checked)}
                  />
                </td>
                <th scope="row">{pupil.displayName}</th>
                <td data-label={t('signInCards.group.card')}>
                  {pupil.issuedAt ? t('signInCards.group.issued', { date: format.date(pupil.issuedAt) }) : t('signInCards.group.noCard')}
                </td>
                <td data-label={t('signInCards.group.lastUsed')}>{pupil.lastUsedAt ? format.dateTime(pupil.lastUsedAt) : t('signInCards.group.never')}</td>
                <td>
                  {pupil.issuedAt && (
                    <button
                      type="button"
                      className="button button--small button--danger-outline"
                      onClick={() => void revokeOne(pupil)}
                      disabled={revoke.isPending}
                    >
                      {t('signInCards.group.revoke', { name: pupil.displayName })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="button-row">
        <button type="button" className="button button--primary" onClick={() => void print()} disabled={issue.isPending}>
          {selected.size > 0 ? t('signInCards.group.printSelected', { count: selected.size }) : t('signInCards.group.printAll')}
        </button>
        <button type="button" className="button" onClick={() => void downloadPdf()} disabled={pdf.isPending}>
          {t('signInCards.group.pdf')}
        </button>
        <button type="button" className="button button--danger-outline" onClick={() => void revokeAll()} disabled={revoke.isPending}>
          {t('signInCards.group.revokeAll')}
        </button>
      </div>
      <LiveNotice notice={notice.notice} />
    </section>
  );
}
