import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { Loading } from '../components/status.tsx';
import type * as AdminPages from '../features/admin/components/admin-pages.ts';
import { RequireRole } from '../features/auth/components/require-role.tsx';
import { RequireSession } from '../features/auth/components/require-session.tsx';
import { SignInPage } from '../features/auth/components/sign-in-page.tsx';
import { GuardianHome } from '../features/home/components/guardian-home.tsx';
import { PupilHome } from '../features/home/components/pupil-home.tsx';
import { TeacherHome } from '../features/home/components/teacher-home.tsx';
import { AppShell } from './app-shell.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { RoleRedirect } from './role-redirect.tsx';

const adminPage = (name: keyof typeof AdminPages): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await import('../features/admin/components/admin-pages.ts'))[name] }),
});

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
      ],
    },
  ],
};

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage />, hydrateFallbackElement: <Loading /> },
  {
    element: <RequireSession />,
    hydrateFallbackElement: <Loading />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: <RoleRedirect /> },
          { path: 'pupil', element: <RequireRole role="pupil"><PupilHome /></RequireRole> },
          { path: 'teacher', element: <RequireRole role="teacher"><TeacherHome /></RequireRole> },
          { path: 'guardian', element: <RequireRole role="guardian"><GuardianHome /></RequireRole> },
          adminRoutes,
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
