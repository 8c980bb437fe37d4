import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LOCALES, type Locale } from '../../../../../shared/roles.ts';
import { FormError, TextField } from '../../../components/form-fields.tsx';
import { Loading } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { invitationsApi } from '../api.ts';
import { fragmentValue, invitationError, PublicLayout } from './public-layout.tsx';

export const mailStatusKey = ['mail-status'] as const;

/** "Forgot your password?": a teacher or guardian asks for a link by e-mail; pupils ask their teacher. */
export function ForgotPasswordPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t('invitations.forgot.title'));
  const status = useQuery({ queryKey: mailStatusKey, queryFn: invitationsApi.mailStatus, staleTime: 5 * 60_000 });
  const [email, setEmail] = useState('');
  const locale: Locale = (LOCALES as readonly string[]).includes(i18n.language) ? (i18n.language as Locale) : 'fi';
  const send = useMutation({ mutationFn: () => invitationsApi.requestReset(email.trim(), locale) });
  if (status.isPending) return <Loading />;
  return (
    <PublicLayout heading={t('invitations.forgot.heading')}>
      <p className="lead">{t('invitations.forgot.pupils')}</p>
      {status.data?.email === false ? (
        <p className="notice notice--info">{t('invitations.forgot.noEmail')}</p>
      ) : send.isSuccess ? (
        <p className="notice notice--info" role="status">
          {t('invitations.forgot.sent')}
        </p>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (email.trim()) send.mutate();
          }}
        >
          <FormError message={send.isError ? invitationError(t, send.error) : null} />
          <TextField name="email" type="email" label={t('invitations.forgot.email')} value={email} onChange={setEmail} autoComplete="email" required />
          <button type="submit" className="button button--primary button--wide" disabled={send.isPending}>
            {t('invitations.forgot.submit')}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('invitations.backToSignIn')}</Link>
      </p>
    </PublicLayout>
  );
}

/** The page a reset e-mail links to (`#token=…`): a new password, once. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  usePageTitle(t('invitations.reset.title'));
  const [token] = useState(() => fragmentValue('token'));
  const [password, setPassword] = useState('');
  const reset = useMutation({ mutationFn: () => invitationsApi.confirmReset(token, password), onError: () => setPassword('') });
  return (
    <PublicLayout heading={t('invitations.reset.heading')}>
      {reset.isSuccess ? (
        <p className="notice notice--info" role="status">
          {t('invitations.reset.done')}
        </p>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            reset.mutate();
          }}
        >
          <FormError message={reset.isError ? invitationError(t, reset.error) : null} />
          <TextField
            name="password"
            type="password"
            label={t('invitations.reset.password')}
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            hint={t('invitations.passwordHint')}
            required
          />
          <button type="submit" className="button button--primary button--wide" disabled={reset.isPending}>
            {t('invitations.reset.submit')}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">{t('invitations.backToSignIn')}</Link>
      </p>
    </PublicLayout>
  );
}
