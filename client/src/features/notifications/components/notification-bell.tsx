import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { notificationsPath } from '../paths.ts';
import { useUnreadCountQuery } from '../queries.ts';

/** The header's bell: a link to the notification centre with the unread count as a badge (issue 12 §5). */
export function NotificationBell() {
  const { t } = useTranslation();
  const unread = useUnreadCountQuery();
  const count = unread.data?.count ?? 0;
  const shown = unread.data?.more ? `${count}+` : String(count);
  return (
    <>
      <NavLink
        to={notificationsPath()}
        className="notification-bell"
        aria-label={count > 0 ? t('notifications.bellUnread', { count, shown }) : t('notifications.bell')}
      >
        <svg className="notification-bell__icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {count > 0 && (
          <span className="notification-bell__badge" data-testid="notification-badge" aria-hidden="true">
            {shown}
          </span>
        )}
      </NavLink>
      {/* Announced when it changes (a new notification arrived live); silent while there are none. */}
      <span className="visually-hidden" role="status">
        {count > 0 ? t('notifications.unreadStatus', { count }) : ''}
      </span>
    </>
  );
}
