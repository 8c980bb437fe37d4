import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { GUARDIAN_COMMENT_MAX, type GuardianSubject, type GuardianVoice } from '../../../../../shared/api/guardian-voice.ts';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { errorText, showMessage, type Message } from '../../../lib/error-message.ts';
import { useGuardianCommentMutation, useGuardianVoiceQuery, useReactMutation } from '../queries.ts';
import { GuardianComments } from './guardian-comments.tsx';

/** The symbols of the fixed reactions (their names are in the i18n files). */
export const REACTION_SYMBOLS = { heart: '❤️', star: '⭐', clap: '👏', smile: '😊', wow: '🤩' } as const;

/**
 * Issue 12 §2: guardians' reactions and comments on one item (an artefact, or a showcase: §3), beside the teachers' thread. Guardians react and
 * write; the pupil and teachers see them marked as from a guardian. Renders nothing for those the server refuses.
 */
export function GuardianVoiceSection({ subject }: { subject: GuardianSubject }) {
  const { t } = useTranslation();
  const voice = useGuardianVoiceQuery(subject);
  const notice = useNotice();
  if (!voice.data) return null;
  const data = voice.data;
  const given = data.reactions.some((r) => r.count > 0);
  // Nothing to show and nothing the viewer may do: stay out of the way.
  if (!data.canReact && !data.canComment && !given && data.comments.length === 0) return null;
  return (
    <section className="guardian-voice card stack" aria-labelledby="guardian-voice-heading">
      <h2 id="guardian-voice-heading">
        {t('guardianVoice.heading')} <span className="count">({data.comments.length})</span>
      </h2>
      <LiveNotice notice={notice.notice} />
      <Reactions subject={subject} data={data} notice={notice} />
      {data.comments.length === 0 ? (
        <p className="muted">{t('guardianVoice.none')}</p>
      ) : (
        <GuardianComments items={data.comments} canReport={data.canReport} canModerate={data.canModerate} notice={notice} />
      )}
      {data.canComment && <CommentForm subject={subject} moderated={data.setting === 'moderated'} notice={notice} />}
    </section>
  );
}

function Reactions({ subject, data, notice }: { subject: GuardianSubject; data: GuardianVoice; notice: ReturnType<typeof useNotice> }) {
  const { t } = useTranslation();
  const react = useReactMutation(subject);
  if (!data.canReact) {
    const given = data.reactions.filter((r) => r.count > 0);
    if (given.length === 0) return null;
    return (
      <ul className="guardian-reactions" aria-label={t('guardianVoice.reactionsLabel')}>
        {given.map((r) => (
          <li key={r.reaction} className="badge">
            <span aria-hidden="true">{REACTION_SYMBOLS[r.reaction]}</span>{' '}
            {t('guardianVoice.reactionCount', { name: t(`guardianVoice.reaction.${r.reaction}`), count: r.count })}
          </li>
        ))}
      </ul>
    );
  }
  return (
    <div className="guardian-reactions" role="group" aria-label={t('guardianVoice.reactLabel')}>
      {data.reactions.map((r) => (
        <button
          key={r.reaction}
          type="button"
          className={`button button--small ${r.mine ? '' : 'button--secondary'}`}
          aria-pressed={r.mine}
          disabled={react.isPending}
          onClick={() => react.mutate({ reaction: r.reaction, given: !r.mine }, { onError: (e) => notice.error(errorText(e)) })}
        >
          <span aria-hidden="true">{REACTION_SYMBOLS[r.reaction]}</span> {t(`guardianVoice.reaction.${r.reaction}`)}
          {r.count > 0 && <span className="count"> ({r.count})</span>}
        </button>
      ))}
    </div>
  );
}

function CommentForm({ subject, moderated, notice }: { subject: GuardianSubject; moderated: boolean; notice: ReturnType<typeof useNotice> }) {
  const { t } = useTranslation();
  const id = useId();
  const send = useGuardianCommentMutation(subject);
  const [body, setBody] = useState('');
  const [error, setError] = useState<Message | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) {
      setError(() => t('guardianVoice.empty'));
      return;
    }
    setError(null);
    send.mutate(body, {
      onSuccess: (c) => {
        setBody('');
        notice.success(t(c.state === 'held' ? 'guardianVoice.sentHeld' : 'guardianVoice.sent'));
      },
      onError: (err) => setError(() => errorText(err)),
    });
  };
  return (
    <form className="peer-form stack" onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h3 id={`${id}-heading`}>{t('guardianVoice.write')}</h3>
      <div className="field">
        <label htmlFor={`${id}-body`}>{t('guardianVoice.commentLabel')}</label>
        <textarea
          id={`${id}-body`}
          rows={3}
          maxLength={GUARDIAN_COMMENT_MAX}
          required
          aria-describedby={`${id}-hint`}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
        <p id={`${id}-hint`} className="hint">
          {t(moderated ? 'guardianVoice.heldHint' : 'guardianVoice.shownHint')}
        </p>
      </div>
      {error && (
        <p className="notice notice--error" role="alert">
          {showMessage(t, error)}
        </p>
      )}
      <div>
        <button type="submit" className="button" disabled={send.isPending}>
          {t('guardianVoice.send')}
        </button>
      </div>
    </form>
  );
}
