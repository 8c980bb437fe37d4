// The admin pages as one lazily loaded chunk: pupils, teachers and guardians never download them.
export { AdminHomePage } from './admin-home-page.tsx';
export { GroupPage } from './group-page.tsx';
export { GroupsPage } from './groups-page.tsx';
export { GuardianLinksPage } from './guardian-links-page.tsx';
export { SchoolLayout } from './school-layout.tsx';
export { SchoolOverviewPage } from './school-overview-page.tsx';
export { UserPage } from './user-page.tsx';
export { UsersPage } from './users-page.tsx';
export { SignInSettingsPage } from '../../sso/components/sign-in-settings-page.tsx';
export { RosterImportPage } from '../../rosters/components/roster-import-page.tsx';
