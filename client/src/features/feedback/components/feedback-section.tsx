import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Artefact } from '../../../../../shared/api/artefacts.ts';
import type { Feedback } from '../../../../../shared/api/feedback.ts';
import { FEEDBACK_EDIT_MINUTES } from '../../../../../shared/portfolio.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { errorText } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useNow } from '../../../lib/use-now.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { useDeleteFeedbackMutation, useFeedbackQuery, useMarkReadMutation, useUpdateFeedbackMutation, type FeedbackThread } from '../queries.ts';
import { FeedbackComposer } from './feedback-composer.tsx';
import { FeedbackMarks } from './feedback-marks.tsx';
import { useProjectQuery } from '../../projects/queries.ts';
import { FeedbackMediaParts } from './feedback-media-parts.tsx';
import { useAnchors } from '../anchors.tsx';

/** The feedback thread of one artefact: the pupil and their teachers talk, guardians read. */
export function FeedbackSection({ artefact }: { artefact: Artefact }) {
  const { t } = useTranslation();
  const thread = useFeedbackQuery(artefact.id);
  const count = thread.data?.items.length ?? artefact.feedbackCount;
  return (
    <section className="feedback-section" aria-labelledby="feedback-heading" id="feedback">
      <h2 id="feedback-heading" tabIndex={-1}>
        {t('feedback.heading')} <span className="count">({count})</span>
      </h2>
      {thread.isPending && <Loading />}
      {thread.isError && <QueryError error={thread.error} onRetry={() => void thread.refetch()} />}
      {thread.isSuccess && <Thread artefact={artefact} thread={thread.data} />}
    </section>
  );
}

interface ThreadContext {
  artefact: Artefact;
  /** The artefact's project goals by id (issue 10 §3: feedback may name them). */
  goals: Map<string, string>;
  canWrite: boolean;
  /** When the reader had last read the thread before opening the page: newer comments are marked new. */
  readBefore: number | null;
  replies: Map<string, Feedback[]>;
  notice: ReturnType<typeof useNotice>;
  /** Anchored messages in thread order: their numbers match the markers over the media. */
  anchored: string[];
}

function Thread({ artefact, thread }: { artefact: Artefact; thread: FeedbackThread }) {
  const { t } = useTranslation();
  const me = useSession();
  const notice = useNotice();
  const [readBefore] = useState(() => (thread.readAt ? Date.parse(thread.readAt) : null));
  const { mutate: markRead, isPending: marking, isError: markFailed } = useMarkReadMutation(artefact);
  const unread = thread.unreadCount;

  // Opening the artefact reads its thread; so does a comment arriving while it is on screen (in a
  // visible tab). After a failure it does not retry in a loop; the next visit tries again.
  useEffect(() => {
    const mark = () => {
      if (unread > 0 && !marking && !markFailed && document.visibilityState === 'visible') markRead();
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [unread, marking, markFailed, markRead]);

  const isOwner = me.user.id === artefact.owner.id;
  const canWrite = isOwner || rolesOf(me).includes('teacher');
  const ids = new Set(thread.items.map((f) => f.id));
  const replies = new Map<string, Feedback[]>();
  const top: Feedback[] = [];
  for (const item of thread.items) {
    if (item.parentId && ids.has(item.parentId)) replies.set(item.parentId, [...(replies.get(item.parentId) ?? []), item]);
    else top.push(item);
  }
  const project = useProjectQuery(artefact.projectId);
  const projectGoals = project.data?.goals ?? [];
  const goals = new Map(projectGoals.map((g) => [g.id, g.text]));
  const anchored = thread.items.filter((f) => f.anchor !== null).map((f) => f.id);
  const context: ThreadContext = { artefact, goals, canWrite, readBefore, replies, notice, anchored };
  // Only the pupil's teachers mark feedback (the server's policy decides; this only offers it).
  const marks = !isOwner && rolesOf(me).includes('teacher') ? { goals: projectGoals.map((g) => ({ id: g.id, text: g.text })) } : undefined;
  const newCount = thread.items.filter((f) => isNew(f, me.user.id, readBefore)).length;

  return (
    <div className="stack">
      <LiveNotice notice={notice.notice} />
      {newCount > 0 && (
        <p className="notice notice--info">
          <span className="badge badge--unread">{t('feedback.newBadge')}</span> {t('feedback.newSinceLastVisit', { count: newCount })}
        </p>
      )}
      {top.length === 0 ? (
        <p className="muted">{canWrite ? t('feedback.emptyWriter') : t('feedback.empty')}</p>
      ) : (
        <ol className="feedback-list">
          {top.map((item) => (
            <FeedbackItem key={item.id} item={item} context={context} depth={0} />
          ))}
        </ol>
      )}
      {canWrite && (
        <FeedbackComposer
          artefact={artefact}
          parentId={null}
          label={isOwner ? t('feedback.composeOwner') : t('feedback.composeTeacher')}
          submitLabel={isOwner ? t('feedback.sendComment') : t('feedback.sendFeedback')}
          marks={marks}
          anchorable
          onSent={() => notice.success(t('feedback.sent'))}
        />
      )}
    </div>
  );
}

function isNew(item: Feedback, myId: string, readBefore: number | null): boolean {
  return item.author?.id !== myId && (readBefore === null || Date.parse(item.createdAt) > readBefore);
}

function FeedbackItem({ item, context, depth }: { item: Feedback; context: ThreadContext; depth: number }) {
  const { t } = useTranslation();
  const me = useSession();
  const format = useFormat();
  const now = useNow();
  const confirm = useConfirm();
  const headingId = useId();
  const [mode, setMode] = useState<'view' | 'reply' | 'edit'>('view');
  const replyButton = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const update = useUpdateFeedbackMutation(context.artefact);
  const remove = useDeleteFeedbackMutation(context.artefact);
  const { notice } = context;
  const anchors = useAnchors();
  const selected = anchors.selected === item.id;

  const mine = item.author?.id === me.user.id;
  const imported = !item.author && item.importedAuthor !== null;
  // An imported author with no name (Mahara never names commenters) is an unknown author, in the reader's language.
  const authorName =
    item.author?.displayName ?? (item.importedAuthor ? item.importedAuthor.displayName || t('imported.unknownAuthor') : t('feedback.removedUser'));
  const canEdit = mine && now - Date.parse(item.createdAt) < FEEDBACK_EDIT_MINUTES * 60_000;
  const children = context.replies.get(item.id) ?? [];
  const fresh = isNew(item, me.user.id, context.readBefore);

  const onDelete = async () => {
    if (!(await confirm(t('feedback.deleteConfirm'), t('feedback.delete')))) return;
    try {
      await remove.mutateAsync(item.id);
      notice.success(t('feedback.deleted'));
      document.getElementById('feedback-heading')?.focus();
    } catch (error) {
      notice.error(errorText(error));
    }
  };

  return (
    <li className={depth > 0 ? 'feedback-item feedback-item--reply' : 'feedback-item'} id={`feedback-${item.id}`}>
      {/* The article is named by the author's name only: the role is in the heading, so it is heard once. */}
      <article
        className={['feedback', fresh ? 'feedback--new' : '', selected ? 'feedback--selected' : ''].filter(Boolean).join(' ')}
        aria-labelledby={`${headingId}-name`}
        tabIndex={-1}
      >
        <header className="feedback__header">
          <h3 id={headingId} className="feedback__author">
            <span id={`${headingId}-name`}>{authorName}</span>
            {item.author && <span className="visually-hidden">, {t(`roles.${item.author.role}`)}</span>}
            {/* Someone from an imported archive, not an account here: never styled as a real teacher. */}
            {imported && (
              <>
                {' '}
                <span className="badge badge--imported" title={t('imported.personTitle')}>
                  {t('imported.label')}
                </span>
              </>
            )}
          </h3>
          {item.author && (
            <span className={`badge badge--role-${item.author.role}`} aria-hidden="true">
              {t(`roles.${item.author.role}`)}
            </span>
          )}
          <time className="muted" dateTime={item.createdAt} title={format.dateTime(item.createdAt)}>
            {imported ? t('imported.originally', { date: format.date(item.createdAt) }) : format.relative(item.createdAt, now)}
          </time>
          {item.editedAt && <span className="muted">({t('feedback.edited')})</span>}
          {fresh && <span className="badge badge--unread">{t('feedback.newBadge')}</span>}
        </header>
        {mode === 'edit' ? (
          <FeedbackComposer
            artefact={context.artefact}
            parentId={item.parentId}
            label={t('feedback.editLabel')}
            submitLabel={t('common.save')}
            initial={item.body}
            autoFocus
            send={(body) => update.mutateAsync({ feedbackId: item.id, body })}
            onSent={() => {
              setMode('view');
              notice.success(t('feedback.saved'));
              requestAnimationFrame(() => editButton.current?.focus());
            }}
            onCancel={() => {
              setMode('view');
              requestAnimationFrame(() => editButton.current?.focus());
            }}
          />
        ) : (
          item.body && <p className="feedback__body">{item.body}</p>
        )}
        <FeedbackMediaParts item={item} thread={context.anchored} media={context.artefact.media} authorName={authorName} />
        <FeedbackMarks item={item} goals={context.goals} />
        {context.canWrite && mode === 'view' && (
          <div className="feedback__actions">
            <button ref={replyButton} type="button" className="button button--small button--secondary" onClick={() => setMode('reply')}>
              {t('feedback.reply')}
              <span className="visually-hidden"> {t('feedback.toWhom', { name: authorName })}</span>
            </button>
            {canEdit && (
              <button ref={editButton} type="button" className="button button--small button--secondary" onClick={() => setMode('edit')}>
                {t('feedback.edit')}
              </button>
            )}
            {mine && (
              <button type="button" className="button button--small button--danger-outline" onClick={() => void onDelete()}>
                {t('feedback.delete')}
              </button>
            )}
          </div>
        )}
        {mode === 'reply' && (
          <FeedbackComposer
            artefact={context.artefact}
            parentId={item.id}
            label={t('feedback.replyLabel', { name: authorName })}
            submitLabel={t('feedback.sendReply')}
            autoFocus
            onSent={() => {
              setMode('view');
              notice.success(t('feedback.sent'));
              requestAnimationFrame(() => replyButton.current?.focus());
            }}
            onCancel={() => {
              setMode('view');
              requestAnimationFrame(() => replyButton.current?.focus());
            }}
          />
        )}
      </article>
      {children.length > 0 && (
        <ol className="feedback-list feedback-list--replies">
          {children.map((child) => (
            <FeedbackItem key={child.id} item={child} context={context} depth={depth + 1} />
          ))}
        </ol>
      )}
    </li>
  );
}
