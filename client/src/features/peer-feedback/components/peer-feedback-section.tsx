import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArtefactPeerFeedback } from '../../../../../shared/api/peer-feedback.ts';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorText, showMessage, type Message } from '../../../lib/error-message.ts';
import { useArtefactPeerFeedbackQuery, useGivePeerFeedbackMutation, usePeerShareMutation } from '../queries.ts';
import { PeerMessages } from './peer-messages.tsx';

/**
 * Peer feedback on one piece of work, beside the teachers' thread: the owner's sharing switch, the messages the
 * viewer may see, and the "two stars and a wish" form for a classmate. Renders nothing for those the server refuses.
 */
export function PeerFeedbackSection({ artefactId }: { artefactId: string }) {
  const { t } = useTranslation();
  const peer = useArtefactPeerFeedbackQuery(artefactId);
  const notice = useNotice();
  if (!peer.data) return null;
  const data = peer.data;
  if (!data.allowed && data.items.length === 0) return null;
  return (
    <section className="peer-feedback card stack" aria-labelledby="peer-feedback-heading">
      <h2 id="peer-feedback-heading">
        {t('peerFeedback.heading')} <span className="count">({data.items.length})</span>
      </h2>
      <LiveNotice notice={notice.notice} />
      {data.canShare && <ShareSwitch artefactId={artefactId} data={data} notice={notice} />}
      {data.items.length === 0 ? (
        <p className="muted">{t('peerFeedback.none')}</p>
      ) : (
        <PeerMessages items={data.items} canReport={data.canReport} canModerate={data.canModerate} notice={notice} />
      )}
      {data.canGive && <PeerForm artefactId={artefactId} held={data.moderation === 'held'} notice={notice} />}
    </section>
  );
}

function ShareSwitch({ artefactId, data, notice }: { artefactId: string; data: ArtefactPeerFeedback; notice: ReturnType<typeof useNotice> }) {
  const { t } = useTranslation();
  const share = usePeerShareMutation(artefactId);
  const hint = useId();
  return (
    <div className="field field--checkbox">
      <input
        id={`${hint}-share`}
        type="checkbox"
        checked={data.shared}
        disabled={share.isPending}
        aria-describedby={hint}
        onChange={(e) =>
          share.mutate(e.target.checked, {
            onSuccess: (r) => notice.success(t(r.shared ? 'peerFeedback.sharedNotice' : 'peerFeedback.unsharedNotice')),
            onError: (err) => notice.error(errorText(err)),
          })
        }
      />
      <label htmlFor={`${hint}-share`}>{t('peerFeedback.share')}</label>
      <p id={hint} className="hint">
        {t('peerFeedback.shareHint')}
      </p>
    </div>
  );
}

function PeerForm({ artefactId, held, notice }: { artefactId: string; held: boolean; notice: ReturnType<typeof useNotice> }) {
  const { t } = useTranslation();
  const id = useId();
  const give = useGivePeerFeedbackMutation(artefactId);
  const [fields, setFields] = useState({ star1: '', star2: '', wish: '' });
  const [error, setError] = useState<Message | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!fields.star1.trim() || !fields.star2.trim() || !fields.wish.trim()) {
      setError(() => t('peerFeedback.fillAll'));
      return;
    }
    setError(null);
    give.mutate(fields, {
      onSuccess: (m) => {
        setFields({ star1: '', star2: '', wish: '' });
        notice.success(t(m.state === 'held' ? 'peerFeedback.sentHeld' : 'peerFeedback.sent'));
      },
      onError: (err) => setError(() => errorText(err)),
    });
  };
  const field = (name: 'star1' | 'star2' | 'wish', icon: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>
        {icon} {t(`peerFeedback.${name}`)}
      </label>
      <textarea
        id={`${id}-${name}`}
        rows={2}
        maxLength={500}
        required
        value={fields[name]}
        onChange={(e) => setFields((f) => ({ ...f, [name]: e.target.value }))}
      />
    </div>
  );
  return (
    <form className="peer-form stack" onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h3 id={`${id}-heading`}>{t('peerFeedback.give')}</h3>
      <p className="hint">{t(held ? 'peerFeedback.heldHint' : 'peerFeedback.shownHint')}</p>
      {field('star1', '⭐')}
      {field('star2', '⭐')}
      {field('wish', '🌱')}
      {error && (
        <p className="notice notice--error" role="alert">
          {showMessage(t, error)}
        </p>
      )}
      <div>
        <button type="submit" className="button" disabled={give.isPending}>
          {t('peerFeedback.send')}
        </button>
      </div>
    </form>
  );
}
