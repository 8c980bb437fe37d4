import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SHARE_LINK_DEFAULT_DAYS, SHARE_LINK_MAX_DAYS, SHARE_PASSCODE_MIN, type ShareLink, type ShareSubject } from '../../../../../shared/api/share-links.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { CheckboxField, FormError, SelectField, TextField } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorMessage, errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { isApiError } from '../../../lib/http.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { useCreateShareLinkMutation, useRevokeShareLinkMutation, useShareLinksQuery } from '../queries.ts';

const EXPIRY_DAYS = [1, 7, SHARE_LINK_DEFAULT_DAYS, 90, 180, SHARE_LINK_MAX_DAYS] as const;

/**
 * Issue 12 §4: an artefact's or a showcase's secret links: make one (its address is shown once, since the
 * server keeps only a hash), list them with their last look, and revoke one. Self-contained: it reads and
 * writes through its own queries, and hides itself from someone who may not manage the subject's links.
 */
export function ShareLinksPanel({ subject }: { subject: ShareSubject }) {
  const { t } = useTranslation();
  const headingId = useId();
  const links = useShareLinksQuery(subject);
  const [created, setCreated] = useState<string | null>(null);
  const [formOpen, setFormOpen] = useState(false);

  // Not theirs to see (a guardian, another school): the panel is simply not there.
  if (links.isError && (isApiError(links.error, 'not_found') || isApiError(links.error, 'forbidden'))) return null;

  return (
    <section aria-labelledby={headingId} className="card stack share-links">
      <h2 id={headingId}>{t('shareLinks.heading')}</h2>
      <p className="muted">{t('shareLinks.intro')}</p>
      {links.isPending && <p>{t('common.loading')}</p>}
      {links.isError && <p className="notice notice--error">{errorMessage(t, links.error)}</p>}
      {created && <CreatedLink url={created} onDone={() => setCreated(null)} />}
      {links.data &&
        (links.data.createBlocked === null ? (
          formOpen ? (
            <CreateForm
              subject={subject}
              onCreated={(url) => {
                setCreated(url);
                setFormOpen(false);
              }}
              onCancel={() => setFormOpen(false)}
            />
          ) : (
            !created && (
              <div className="button-row button-row--start">
                <button type="button" className="button button--secondary" onClick={() => setFormOpen(true)}>
                  {t('shareLinks.new')}
                </button>
              </div>
            )
          )
        ) : (
          <p className="muted">{t(`shareLinks.blocked.${links.data.createBlocked}`)}</p>
        ))}
      {links.data && <LinkList subject={subject} links={links.data.links} />}
    </section>
  );
}

function CreatedLink({ url, onDone }: { url: string; onDone: () => void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const notice = useNotice();
  const inputId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      notice.success(t('shareLinks.copied'));
    } catch {
      // No clipboard (an insecure page, a refused permission): select it for the reader to copy.
      input.current?.select();
      notice.error(t('shareLinks.copyByHand'));
    }
  };
  return (
    <div className="share-links__created stack">
      <p>
        <strong>{t('shareLinks.createdTitle')}</strong> {t('shareLinks.createdOnce')}
      </p>
      <div className="field">
        <label htmlFor={inputId}>{t('shareLinks.address')}</label>
        <input id={inputId} ref={input} type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="share-link-url" />
      </div>
      <div className="button-row button-row--start">
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          {t('shareLinks.copy')}
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          {t('shareLinks.done')}
        </button>
      </div>
      <LiveNotice notice={notice.notice} />
    </div>
  );
}

function CreateForm({ subject, onCreated, onCancel }: { subject: ShareSubject; onCreated: (url: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const me = useSession();
  const create = useCreateShareLinkMutation(subject);
  const [days, setDays] = useState(String(SHARE_LINK_DEFAULT_DAYS));
  const [passcode, setPasscode] = useState('');
  const [includeFeedback, setIncludeFeedback] = useState(false);
  const [showName, setShowName] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [passcodeError, setPasscodeError] = useState<string | undefined>(undefined);
  const isPupil = rolesOf(me).includes('pupil');

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setPasscodeError(undefined);
    if (passcode !== '' && passcode.length < SHARE_PASSCODE_MIN) {
      setPasscodeError(t('shareLinks.passcodeTooShort', { count: SHARE_PASSCODE_MIN }));
      return;
    }
    try {
      const made = await create.mutateAsync({ expiresInDays: Number(days), passcode: passcode === '' ? null : passcode, includeFeedback, showName });
      onCreated(made.url);
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };

  return (
    <form className="form stack" onSubmit={(e) => void onSubmit(e)} noValidate aria-label={t('shareLinks.new')}>
      <FormError message={error} />
      <SelectField
        name="expiresInDays"
        label={t('shareLinks.expiry')}
        value={days}
        onChange={setDays}
        options={EXPIRY_DAYS.map((d) => ({ value: String(d), label: t('shareLinks.days', { count: d }) }))}
        required
      />
      <TextField
        name="passcode"
        type="password"
        label={t('shareLinks.passcode')}
        hint={t('shareLinks.passcodeHint')}
        autoComplete="new-password"
        value={passcode}
        onChange={setPasscode}
        error={passcodeError}
        optional
      />
      <CheckboxField name="includeFeedback" label={t('shareLinks.includeFeedback')} checked={includeFeedback} onChange={setIncludeFeedback} />
      <CheckboxField name="showName" label={isPupil ? t('shareLinks.showMyName') : t('shareLinks.showPupilName')} checked={showName} onChange={setShowName} />
      <div className="button-row button-row--start">
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          {t('shareLinks.create')}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function LinkList({ subject, links }: { subject: ShareSubject; links: readonly ShareLink[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const confirm = useConfirm();
  const revoke = useRevokeShareLinkMutation(subject);
  const notice = useNotice();

  const onRevoke = async (link: ShareLink) => {
    if (!(await confirm(t('shareLinks.revokeConfirm', { date: format.dateTime(link.createdAt) }), t('shareLinks.revoke')))) return;
    try {
      await revoke.mutateAsync(link.id);
      notice.success(t('shareLinks.revoked'));
    } catch (err) {
      notice.error(errorText(err));
    }
  };

  return (
    <>
      {links.length === 0 ? (
        <p>{t('shareLinks.empty')}</p>
      ) : (
        <ul className="share-links__list stack">
          {links.map((link) => (
            <li key={link.id} className="share-links__item">
              <p>
                <strong>{t(`shareLinks.state.${link.state}`)}</strong>
                {link.createdBy && <> · {t('shareLinks.madeBy', { name: link.createdBy.displayName })}</>}
              </p>
              <dl className="share-links__facts">
                <dt>{t('shareLinks.created')}</dt>
                <dd>{format.dateTime(link.createdAt)}</dd>
                <dt>{link.state === 'revoked' ? t('shareLinks.revokedAt') : t('shareLinks.expires')}</dt>
                <dd>{format.dateTime(link.revokedAt ?? link.expiresAt)}</dd>
                <dt>{t('shareLinks.lastAccess')}</dt>
                <dd>{link.lastAccessedAt ? format.dateTime(link.lastAccessedAt) : t('shareLinks.never')}</dd>
                <dt>{t('shareLinks.accessCount')}</dt>
                <dd>{link.accessCount}</dd>
                <dt>{t('shareLinks.options')}</dt>
                <dd>
                  {[
                    link.hasPasscode ? t('shareLinks.withPasscode') : t('shareLinks.noPasscode'),
                    ...(link.includeFeedback ? [t('shareLinks.withFeedback')] : []),
                    ...(link.showName ? [t('shareLinks.withName')] : []),
                  ].join(', ')}
                </dd>
              </dl>
              {link.state === 'active' && (
                <button type="button" className="button button--danger-outline" disabled={revoke.isPending} onClick={() => void onRevoke(link)}>
                  {t('shareLinks.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <LiveNotice notice={notice.notice} />
    </>
  );
}
