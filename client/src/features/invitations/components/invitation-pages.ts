export { AcceptInvitationPage } from './accept-invitation-page.tsx';
export { ForgotPasswordPage, ResetPasswordPage } from './password-reset-pages.tsx';
