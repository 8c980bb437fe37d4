import { guardianModerationPath } from '../../guardian-voice/api.ts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Notification } from '../../../../../shared/api/notifications.ts';
import { EmptyState, Loading, QueryError } from '../../../components/status.tsx';
import { useFormat } from '../../../lib/format.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { artefactPath, teacherPupilPath } from '../../artefacts/paths.ts';
import { rolesOf, useSession } from '../../auth/session.ts';
import { showcasePath } from '../../showcases/paths.ts';
import { useMarkAllReadMutation, useMarkReadMutation, useNotificationsQuery, useUnreadCountQuery } from '../queries.ts';

/** Issue 12 §5: the notification centre, newest first, for every role. */
export function NotificationsPage() {
  const { t } = useTranslation();
  usePageTitle(t('notifications.title'));
  const list = useNotificationsQuery();
  const unread = useUnreadCountQuery();
  const markAll = useMarkAllReadMutation();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const anyUnread = (unread.data?.count ?? 0) > 0 || items.some((i) => i.readAt === null);
  const roles = rolesOf(useSession());

  return (
    <>
      <div className="page-header">
        <h1>{t('notifications.heading')}</h1>
        <p className="lead">{t('notifications.intro')}</p>
        <p>
          <Link to="/notifications/settings">{t('digest.preferences.link')}</Link>
          {roles.includes('guardian') && (
            <>
              {' · '}
              <Link to="/digest">{t('digest.link')}</Link>
            </>
          )}
        </p>
      </div>
      {list.isPending && <Loading />}
      {list.isError && <QueryError error={list.error} onRetry={() => void list.refetch()} />}
      {list.isSuccess && items.length === 0 && (
        <EmptyState heading={t('notifications.emptyHeading')}>
          <p>{t('notifications.emptyText')}</p>
        </EmptyState>
      )}
      {list.isSuccess && items.length > 0 && (
        <div className="stack">
          <p>
            <button type="button" className="button button--secondary" onClick={() => markAll.mutate()} disabled={!anyUnread || markAll.isPending}>
              {t('notifications.markAllRead')}
            </button>
          </p>
          {markAll.isError && <QueryError error={markAll.error} />}
          <p className="visually-hidden" role="status">
            {markAll.isSuccess && !anyUnread ? t('notifications.allRead') : ''}
          </p>
          <ul className="notification-list" role="list">
            {items.map((n) => (
              <NotificationItem key={n.id} notification={n} />
            ))}
          </ul>
          {list.hasNextPage && (
            <p>
              <button type="button" className="button button--secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {t('notifications.older')}
              </button>
            </p>
          )}
        </div>
      )}
    </>
  );
}

function NotificationItem({ notification: n }: { notification: Notification }) {
  const { t } = useTranslation();
  const format = useFormat();
  const markRead = useMarkReadMutation();
  const roles = rolesOf(useSession());
  const text = useText(n);
  const target = targetOf(n, roles.includes('teacher'));
  const unread = n.readAt === null;
  const open = () => {
    if (unread) markRead.mutate(n.id);
  };
  return (
    <li className={`notification-item${unread ? ' notification-item--unread' : ''}`}>
      <p className="notification-item__text">
        {unread && <span className="notification-item__dot">{t('notifications.unread')}: </span>}
        {target ? (
          <Link to={target} onClick={open}>
            {text}
          </Link>
        ) : (
          text
        )}
      </p>
      <p className="notification-item__meta">
        <time dateTime={n.createdAt} title={format.dateTime(n.createdAt)}>
          {format.relative(n.createdAt)}
        </time>
        {unread && (
          <button type="button" className="button button--small button--secondary" onClick={open} disabled={markRead.isPending}>
            {t('notifications.markRead')}
          </button>
        )}
      </p>
    </li>
  );
}

function useText(n: Notification): string {
  const { t } = useTranslation();
  const title = (s: string) => s || t('notifications.untitled');
  const who = (s: string) => s || t('notifications.someone');
  switch (n.kind) {
    case 'feedback':
      return t('notifications.feedback', { author: who(n.data.authorName), title: title(n.data.title) });
    case 'revision_requested':
      return t('notifications.revision_requested', { author: who(n.data.authorName), title: title(n.data.title) });
    case 'shared_work':
      return t('notifications.shared_work', { pupil: who(n.data.pupilName), title: title(n.data.title) });
    case 'invitation_accepted':
      return t('notifications.invitation_accepted', { guardian: who(n.data.guardianName), pupil: who(n.data.pupilName) });
    case 'guardian_comment':
      return t(`notifications.guardian_comment${n.data.showcaseId ? '_showcase' : ''}${n.data.held ? '_held' : ''}`, { title: title(n.data.title) });
    // Issue 12 §1: teacher approval. The note is the start of the teacher's note (the item's page shows it whole).
    case 'item_approved':
      return n.data.note
        ? t('notifications.item_approved_note', { teacher: who(n.data.teacherName), title: title(n.data.title), note: n.data.note })
        : t('notifications.item_approved', { teacher: who(n.data.teacherName), title: title(n.data.title) });
    case 'item_returned':
      return n.data.note
        ? t('notifications.item_returned_note', { teacher: who(n.data.teacherName), title: title(n.data.title), note: n.data.note })
        : t('notifications.item_returned', { teacher: who(n.data.teacherName), title: title(n.data.title) });
    case 'approval_requested':
      return t('notifications.approval_requested', { pupil: who(n.data.pupilName), title: title(n.data.title) });
    case 'showcase_approved':
      return n.data.note
        ? t('notifications.showcase_approved_note', { teacher: who(n.data.teacherName), title: title(n.data.title), note: n.data.note })
        : t('notifications.showcase_approved', { teacher: who(n.data.teacherName), title: title(n.data.title) });
    case 'showcase_returned':
      return n.data.note
        ? t('notifications.showcase_returned_note', { teacher: who(n.data.teacherName), title: title(n.data.title), note: n.data.note })
        : t('notifications.showcase_returned', { teacher: who(n.data.teacherName), title: title(n.data.title) });
    case 'showcase_approval_requested':
      return t('notifications.showcase_approval_requested', { pupil: who(n.data.pupilName), title: title(n.data.title) });
    case 'shared_showcase':
      return t('notifications.shared_showcase', { pupil: who(n.data.pupilName), title: title(n.data.title) });
  }
}

/** Where a notification leads: the item, or for an accepted invitation the pupil (teachers) or the school's guardian links (admins). */
function targetOf(n: Notification, teacher: boolean): string {
  switch (n.kind) {
    case 'feedback':
    case 'revision_requested':
    case 'shared_work':
    case 'item_approved':
    case 'item_returned':
    case 'approval_requested':
      return artefactPath(n.data.artefactId);
    // Issue 12 §1: a showcase's approval leads to the showcase (its page shows the state and the note).
    case 'showcase_approved':
    case 'showcase_returned':
    case 'showcase_approval_requested':
    case 'shared_showcase':
      return showcasePath(n.data.showcaseId);
    case 'guardian_comment':
      if (n.data.held && teacher) return guardianModerationPath();
      return n.data.showcaseId ? showcasePath(n.data.showcaseId) : artefactPath(n.data.artefactId ?? '');
    case 'invitation_accepted':
      return teacher ? teacherPupilPath(n.data.pupilId) : `/admin/schools/${encodeURIComponent(n.data.schoolId)}/guardian-links`;
  }
}
