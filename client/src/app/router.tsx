import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { Loading } from '../components/status.tsx';
import type * as AdminPages from '../features/admin/components/admin-pages.ts';
import { RequireRole } from '../features/auth/components/require-role.tsx';
import { RequireSession } from '../features/auth/components/require-session.tsx';
import { SignInPage } from '../features/auth/components/sign-in-page.tsx';
import { GuardianHome } from '../features/home/components/guardian-home.tsx';
import { TeacherHome } from '../features/home/components/teacher-home.tsx';
import type { SchoolRole } from '../../../shared/roles.ts';
import { AppShell } from './app-shell.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { RouteError } from './route-error.tsx';
import type * as PortfolioPages from './portfolio-pages.ts';
import { RoleRedirect } from './role-redirect.tsx';

const adminPage = (name: keyof typeof AdminPages): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await import('../features/admin/components/admin-pages.ts'))[name] }),
});

/** A portfolio page, loaded on first use, for the given roles only. */
const portfolioPage = (name: keyof typeof PortfolioPages, roles: readonly SchoolRole[]): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => {
    const Page = (await import('./portfolio-pages.ts'))[name];
    return {
      element: (
        <RequireRole role={roles}>
          <Page />
        </RequireRole>
      ),
    };
  },
});

const everyone: readonly SchoolRole[] = ['pupil', 'teacher', 'guardian', 'admin'];
const teaching: readonly SchoolRole[] = ['teacher', 'admin'];

const portfolioRoutes: RouteObject[] = [
  { path: 'pupil', ...portfolioPage('PupilPortfolioPage', ['pupil']) },
  { path: 'teacher/groups/:groupId', ...portfolioPage('GroupOverviewPage', ['teacher']) },
  { path: 'teacher/pupils/:pupilId', ...portfolioPage('TeacherPupilPage', ['teacher']) },
  { path: 'guardian/children/:childId', ...portfolioPage('GuardianChildPage', ['guardian']) },
  { path: 'artefacts/new', ...portfolioPage('NewArtefactPage', ['pupil']) },
  { path: 'artefacts/:artefactId', ...portfolioPage('ArtefactPage', everyone) },
  { path: 'artefacts/:artefactId/edit', ...portfolioPage('EditArtefactPage', ['pupil']) },
  { path: 'projects/new', ...portfolioPage('NewProjectPage', teaching) },
  { path: 'projects/:projectId', ...portfolioPage('ProjectPage', everyone) },
  { path: 'projects/:projectId/edit', ...portfolioPage('EditProjectPage', teaching) },
  { path: 'import', ...portfolioPage('ImportPage', ['pupil', 'admin']) },
  // Goal assessments (issue 10, section 2): one pupil's page for one goal; the server decides who sees what.
  { path: 'goals/:goalId/pupils/:pupilId', ...portfolioPage('GoalPage', ['pupil', 'teacher', 'guardian']) },
  // Issue 10 §6: the teacher's view of a group (the server decides whose pupils each teacher sees).
  { path: 'teacher/projects/:projectId/heatmap', ...portfolioPage('HeatmapPage', ['teacher']) },
  { path: 'teacher/groups/:groupId/coverage', ...portfolioPage('CoveragePage', ['teacher']) },
  // Issue 11 §3: a group's sign-in cards (its teachers and the school's admins; the server decides).
  {
    path: 'groups/:groupId/cards',
    lazy: async () => {
      const { GroupCardsPage } = await import('../features/sign-in-cards/components/group-cards-page.tsx');
      return {
        element: (
          <RequireRole role={teaching}>
            <GroupCardsPage />
          </RequireRole>
        ),
      };
    },
  },
  { path: 'peer/:artefactId', ...portfolioPage('PeerWorkPage', ['pupil', 'teacher']) },
  // Issue 12 §2: a teacher's moderation list of guardian comments.
  {
    path: 'teacher/guardian-comments',
    lazy: async () => {
      const { GuardianModerationPage } = await import('../features/guardian-voice/components/guardian-moderation-page.tsx');
      return {
        element: (
          <RequireRole role={['teacher']}>
            <GuardianModerationPage />
          </RequireRole>
        ),
      };
    },
  },
  // Issue 12 §3: the pupil's showcases; one showcase is read by whoever the server lets (teachers, guardians, classmates).
  { path: 'showcases', ...portfolioPage('ShowcasesPage', ['pupil']) },
  { path: 'showcases/:showcaseId', ...portfolioPage('ShowcasePage', ['pupil', 'teacher', 'guardian']) },
  { path: 'showcases/:showcaseId/edit', ...portfolioPage('ShowcaseEditorPage', ['pupil']) },
  // Issue 12 §5: the notification centre, for every role.
  {
    path: 'notifications',
    lazy: async () => ({ Component: (await import('../features/notifications/components/notifications-page.tsx')).NotificationsPage }),
  },
  // Issue 12 §5: how one hears of new things outside the app (every role), and a guardian's weekly digest.
  {
    path: 'notifications/settings',
    lazy: async () => ({ Component: (await import('../features/digest/components/preferences-page.tsx')).PreferencesPage }),
  },
  {
    path: 'digest',
    lazy: async () => {
      const { DigestPage } = await import('../features/digest/components/digest-page.tsx');
      return {
        element: (
          <RequireRole role="guardian">
            <DigestPage />
          </RequireRole>
        ),
      };
    },
  },
];

const adminRoutes: RouteObject = {
  path: 'admin',
  element: (
    <RequireRole role="admin">
      <Outlet />
    </RequireRole>
  ),
  children: [
    { index: true, ...adminPage('AdminHomePage') },
    {
      path: 'schools/:schoolId',
      ...adminPage('SchoolLayout'),
      children: [
        { index: true, ...adminPage('SchoolOverviewPage') },
        { path: 'groups', ...adminPage('GroupsPage') },
        { path: 'groups/:groupId', ...adminPage('GroupPage') },
        { path: 'users', ...adminPage('UsersPage') },
        { path: 'users/:userId', ...adminPage('UserPage') },
        { path: 'guardian-links', ...adminPage('GuardianLinksPage') },
        { path: 'sign-in', ...adminPage('SignInSettingsPage') },
        { path: 'rosters', ...adminPage('RosterImportPage') },
      ],
    },
  ],
};

/** Issue 11 §4–5: pages reached before signing in (an invitation, a forgotten password), loaded on first use. */
const invitationPage = (name: 'AcceptInvitationPage' | 'ForgotPasswordPage' | 'ResetPasswordPage'): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await import('../features/invitations/components/invitation-pages.ts'))[name] }),
});

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage />, hydrateFallbackElement: <Loading /> },
  // Issue 11 §3: a sign-in card's QR code opens this page (the code in the fragment), or a pupil scans or types it here.
  {
    path: '/card',
    lazy: async () => ({ Component: (await import('../features/sign-in-cards/components/card-sign-in-page.tsx')).CardSignInPage }),
    hydrateFallbackElement: <Loading />,
  },
  { path: '/invitation', ...invitationPage('AcceptInvitationPage'), hydrateFallbackElement: <Loading /> },
  { path: '/forgot-password', ...invitationPage('ForgotPasswordPage'), hydrateFallbackElement: <Loading /> },
  { path: '/reset-password', ...invitationPage('ResetPasswordPage'), hydrateFallbackElement: <Loading /> },
  {
    element: <RequireSession />,
    hydrateFallbackElement: <Loading />,
    children: [
      {
        element: <AppShell />,
        children: [
          {
            // Inside the shell, so that navigation and the language switcher stay usable.
            errorElement: <RouteError />,
            children: [
              { index: true, element: <RoleRedirect /> },
              {
                path: 'teacher',
                element: (
                  <RequireRole role="teacher">
                    <TeacherHome />
                  </RequireRole>
                ),
              },
              {
                path: 'guardian',
                element: (
                  <RequireRole role="guardian">
                    <GuardianHome />
                  </RequireRole>
                ),
              },
              ...portfolioRoutes,
              adminRoutes,
              { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
