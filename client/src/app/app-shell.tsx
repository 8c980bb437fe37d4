import { useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { Brand } from '../components/brand.tsx';
import { ConfirmProvider } from '../components/confirm-dialog.tsx';
import { LanguageSwitcher } from '../components/language-switcher.tsx';
import { ToastProvider } from '../components/toast.tsx';
import type { SignInState } from '../features/auth/components/sign-in-page.tsx';
import { endSessionInCache, useLogoutMutation } from '../features/auth/queries.ts';
import { homePath, rolesOf, useSession } from '../features/auth/session.ts';
import { importPath } from '../features/portability/paths.ts';
import { NotificationBell } from '../features/notifications/components/notification-bell.tsx';
import { guardianModerationPath } from '../features/guardian-voice/api.ts';
import { showcasesPath } from '../features/showcases/paths.ts';
import { drafts } from '../lib/drafts.ts';
import { closeRealtime } from '../lib/realtime.ts';
import { useFocusHeadingOnNavigation } from '../lib/route-focus.ts';

/** Skip link, header (name, user, language, sign-out), role navigation and the page. */
export function AppShell() {
  const { t } = useTranslation();
  const me = useSession();
  const navigate = useNavigate();
  const logout = useLogoutMutation();
  const queryClient = useQueryClient();
  const mainRef = useRef<HTMLElement>(null);
  useFocusHeadingOnNavigation(mainRef);
  const roles = rolesOf(me);

  const signOut = () => {
    closeRealtime();
    logout.mutate(undefined, {
      onSuccess: (providerLogout) => {
        // A shared school computer: the next person must not find this one's unsent work.
        void drafts.removeAllOf(me.user.id);
        void navigate('/sign-in', { replace: true, state: { notice: 'signedOut', providerLogout } satisfies SignInState & { providerLogout: unknown } });
        endSessionInCache(queryClient);
      },
    });
  };

  return (
    <ConfirmProvider>
      <ToastProvider>
        <a className="skip-link" href="#main">
          {t('shell.skipToContent')}
        </a>
        <header className="app-header">
          <div className="app-header__inner">
            <Link to="/" className="brand-link">
              <Brand />
            </Link>
            <div className="app-header__tools">
              <p className="app-header__user">{t('shell.signedInAs', { name: me.user.displayName })}</p>
              <NotificationBell />
              <LanguageSwitcher />
            </div>
            <button type="button" className="button button--secondary app-header__sign-out" onClick={signOut} disabled={logout.isPending}>
              {logout.isPending ? t('shell.signingOut') : t('shell.signOut')}
            </button>
          </div>
          <nav className="main-nav" aria-label={t('shell.mainNav')}>
            <ul>
              {roles.map((role) => (
                <li key={role}>
                  <NavLink to={homePath(role)}>{t(`nav.${role}`)}</NavLink>
                </li>
              ))}
              {roles.includes('pupil') && (
                <li>
                  <NavLink to={showcasesPath()}>{t('nav.showcases')}</NavLink>
                </li>
              )}
              {(roles.includes('pupil') || roles.includes('admin')) && (
                <li>
                  <NavLink to={importPath()}>{t('nav.import')}</NavLink>
                </li>
              )}
              {/* Issue 12 §2: held and reported guardian comments. */}
              {roles.includes('teacher') && (
                <li>
                  <NavLink to={guardianModerationPath()}>{t('nav.guardianComments')}</NavLink>
                </li>
              )}
            </ul>
          </nav>
        </header>
        <main id="main" ref={mainRef} tabIndex={-1} className="app-main">
          <Outlet />
        </main>
      </ToastProvider>
    </ConfirmProvider>
  );
}
