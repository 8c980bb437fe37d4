import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import type { OpenInvitationResponse } from '../../../../../shared/api/invitations.ts';
import { FormError, RadioGroup, TextField } from '../../../components/form-fields.tsx';
import { Loading } from '../../../components/status.tsx';
import { usePageTitle } from '../../../lib/page-title.ts';
import { authKeys, useMeQuery } from '../../auth/queries.ts';
import { ssoErrorOf } from '../../sso/components/sso-sign-in.tsx';
import { SsoStartForm } from '../../sso/components/sso-start-form.tsx';
import { useSsoProvidersQuery } from '../../sso/queries.ts';
import { invitationsApi } from '../api.ts';
import { fragmentValue, invitationError, PublicLayout } from './public-layout.tsx';

type AccountKind = 'new' | 'existing';

/** A guardian accepts an invitation: the code from the letter or link, then a new account or an existing one. */
export function AcceptInvitationPage() {
  const { t } = useTranslation();
  usePageTitle(t('invitations.accept.title'));
  const me = useMeQuery();
  const [code, setCode] = useState(() => fragmentValue('code'));
  const [opened, setOpened] = useState<OpenInvitationResponse | null>(null);
  const open = useMutation({ mutationFn: (c: string) => invitationsApi.open(c), onSuccess: setOpened });
  // Why an acceptance through a provider was refused (the callback sends the browser back here).
  const ssoError = ssoErrorOf(useLocation().search);

  if (me.isPending) return <Loading />;
  return (
    <PublicLayout heading={t('invitations.accept.heading')}>
      {ssoError && !opened && (
        <p className="notice notice--error" role="alert">
          {t(`sso.errors.${ssoError}`)}
        </p>
      )}
      {!opened ? (
        <form
          className="form"
          noValidate
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (code.trim()) open.mutate(code.trim());
          }}
        >
          <p className="lead">{t('invitations.accept.intro')}</p>
          <FormError message={open.isError ? invitationError(t, open.error) : null} />
          <TextField name="code" label={t('invitations.accept.code')} value={code} onChange={setCode} autoComplete="off" spellCheck={false} required />
          <button type="submit" className="button button--primary button--wide" disabled={open.isPending}>
            {t('invitations.accept.open')}
          </button>
        </form>
      ) : (
        <>
          <AcceptForm code={code.trim()} invitation={opened} signedInAs={me.data?.user.displayName ?? null} />
          <ProviderAccept code={code.trim()} />
        </>
      )}
      <p>
        <Link to="/sign-in">{t('invitations.backToSignIn')}</Link>
      </p>
    </PublicLayout>
  );
}

function AcceptForm({ code, invitation, signedInAs }: { code: string; invitation: OpenInvitationResponse; signedInAs: string | null }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<AccountKind | 'session'>(signedInAs ? 'session' : 'new');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const accept = useMutation({
    mutationFn: () =>
      invitationsApi.accept({
        code,
        account:
          kind === 'session'
            ? { kind: 'session' }
            : kind === 'existing'
              ? { kind: 'existing', username: username.trim(), password }
              : { kind: 'new', username: username.trim(), displayName: displayName.trim(), password, ...(email.trim() ? { email: email.trim() } : {}) },
      }),
    onSuccess: (me) => {
      queryClient.clear();
      queryClient.setQueryData(authKeys.me, me);
      void navigate('/guardian', { replace: true });
    },
    onError: () => setPassword(''),
  });
  const options = [
    ...(signedInAs ? [{ value: 'session', label: t('invitations.accept.asSignedIn', { name: signedInAs }) }] : []),
    { value: 'new', label: t('invitations.accept.newAccount') },
    { value: 'existing', label: t('invitations.accept.existingAccount') },
  ];
  return (
    <form
      className="form"
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        accept.mutate();
      }}
    >
      <p className="lead">{t('invitations.accept.forChild', { pupil: invitation.pupilName, school: invitation.schoolName })}</p>
      <FormError message={accept.isError ? invitationError(t, accept.error) : null} />
      <RadioGroup
        name="account"
        legend={t('invitations.accept.howLegend')}
        options={options}
        value={kind}
        onChange={(v) => setKind(v as AccountKind | 'session')}
      />
      {kind !== 'session' && (
        <>
          <TextField name="username" label={t('auth.username')} value={username} onChange={setUsername} autoComplete="username" spellCheck={false} required />
          {kind === 'new' && (
            <TextField
              name="displayName"
              label={t('invitations.accept.displayName')}
              value={displayName}
              onChange={setDisplayName}
              autoComplete="name"
              required
            />
          )}
          <TextField
            name="password"
            type="password"
            label={t('auth.password')}
            value={password}
            onChange={setPassword}
            autoComplete={kind === 'new' ? 'new-password' : 'current-password'}
            hint={kind === 'new' ? t('invitations.passwordHint') : undefined}
            required
          />
          {kind === 'new' && (
            <TextField
              name="email"
              type="email"
              label={t('invitations.accept.email')}
              value={email}
              onChange={setEmail}
              autoComplete="email"
              hint={t('invitations.accept.emailHint')}
              optional
            />
          )}
        </>
      )}
      <button type="submit" className="button button--primary button--wide" disabled={accept.isPending}>
        {t('invitations.accept.submit')}
      </button>
    </form>
  );
}

/**
 * Accepting with the guardian's own Google or Microsoft account (issue 11 §4): the provider's sign-in carries
 * the invitation (posted, never in an address), and its return accepts it into the account that identity has.
 */
function ProviderAccept({ code }: { code: string }) {
  const { t } = useTranslation();
  const providers = useSsoProvidersQuery().data?.providers ?? [];
  if (providers.length === 0) return null;
  return (
    <section className="sso-sign-in" aria-labelledby="invitation-sso-heading">
      <h2 id="invitation-sso-heading" className="sso-sign-in__heading">
        {t('invitations.accept.providersHeading')}
      </h2>
      <p className="field__hint">{t('invitations.accept.providersHint')}</p>
      <ul className="sso-sign-in__buttons">
        {providers.map((p) => (
          <li key={p.id}>
            <SsoStartForm providerId={p.id} fields={{ invitation: code }}>
              {t('invitations.accept.continueWith', { provider: p.label })}
            </SsoStartForm>
          </li>
        ))}
      </ul>
    </section>
  );
}
