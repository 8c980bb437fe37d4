import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { guardianEmailSchema, MAX_BULK_INVITATIONS, type BulkInvitationsResponse } from '../../../../../shared/api/invitations.ts';
import type { DirectoryUser } from '../../../../../shared/api/sign-in-cards.ts';
import { LOCALES, type Locale } from '../../../../../shared/roles.ts';
import { FormError, SelectField, TextField } from '../../../components/form-fields.tsx';
import { LANGUAGE_ENDONYMS } from '../../../i18n/i18n.ts';
import { errorMessage } from '../../../lib/error-message.ts';
import { invitationsApi } from '../api.ts';
import { InvitationLettersView } from './invitation-letters.tsx';
import { mailStatusKey } from './password-reset-pages.tsx';

interface BulkInviteFormProps {
  schoolId: string;
  chosen: DirectoryUser[];
  onCancel: () => void;
  onDone: (result: BulkInvitationsResponse) => void;
}

const isLocale = (value: string): value is Locale => (LOCALES as readonly string[]).includes(value);

/**
 * "Invite guardians" for the people chosen in the admin's user list (issue 11 §6): one letter per pupil,
 * e-mailed where an address is typed and this Polku sends e-mail. Everyone chosen is sent; the server
 * leaves out those who are not pupils (or are deactivated or adults) and says how many.
 */
export function BulkInviteForm({ schoolId, chosen, onCancel, onDone }: BulkInviteFormProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const queryClient = useQueryClient();
  const mail = useQuery({ queryKey: mailStatusKey, queryFn: invitationsApi.mailStatus, staleTime: 5 * 60_000 });
  const sendsEmail = mail.data?.email === true;
  const pupils = chosen.filter((u) => u.roles.includes('pupil') && u.active);
  const others = chosen.length - pupils.length;
  const tooMany = chosen.length > MAX_BULK_INVITATIONS;
  const [emails, setEmails] = useState<Record<string, string>>({});
  const [emailErrors, setEmailErrors] = useState<Record<string, string>>({});
  const [locale, setLocale] = useState('');
  const invite = useMutation({
    mutationFn: () =>
      invitationsApi.inviteChosen(schoolId, {
        invitees: chosen.map((u) => {
          const email = sendsEmail ? emails[u.id]?.trim() : undefined;
          return { userId: u.id, ...(email ? { email } : {}) };
        }),
        ...(isLocale(locale) ? { locale } : {}),
      }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['guardian-invitations'] });
      onDone(result);
    },
  });

  // The form opens below the bulk bar: focus goes to it, so that keyboard and screen-reader users are there.
  useEffect(() => headingRef.current?.focus(), []);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (sendsEmail)
      for (const p of pupils) {
        const typed = emails[p.id]?.trim();
        if (typed && !guardianEmailSchema.safeParse(typed).success) errors[p.id] = t('validation.email');
      }
    setEmailErrors(errors);
    const firstBad = pupils.find((p) => errors[p.id]);
    if (firstBad) {
      document.querySelector<HTMLInputElement>(`input[name="guardian-email-${firstBad.id}"]`)?.focus();
      return;
    }
    if (tooMany || pupils.length === 0) return;
    invite.mutate();
  };

  return (
    <form className="card stack bulk-invite" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId} ref={headingRef} tabIndex={-1}>
        {t('invitations.bulk.heading', { count: pupils.length })}
      </h3>
      {mail.isSuccess && <p>{sendsEmail ? t('invitations.bulk.intro') : t('invitations.bulk.noEmail')}</p>}
      {others > 0 && <p>{t('invitations.bulk.othersLeftOut', { count: others })}</p>}
      {tooMany && <FormError message={t('invitations.bulk.tooMany', { max: MAX_BULK_INVITATIONS, count: chosen.length })} />}
      <FormError message={invite.error ? errorMessage(t, invite.error) : null} />
      {sendsEmail && pupils.length > 0 && (
        <fieldset className="stack">
          <legend>{t('invitations.bulk.emailsLegend')}</legend>
          {pupils.map((p) => (
            <TextField
              key={p.id}
              name={`guardian-email-${p.id}`}
              label={t('invitations.bulk.emailFor', { pupil: p.displayName })}
              type="email"
              autoComplete="off"
              spellCheck={false}
              optional
              value={emails[p.id] ?? ''}
              onChange={(value) => setEmails((prev) => ({ ...prev, [p.id]: value }))}
              error={emailErrors[p.id]}
            />
          ))}
        </fieldset>
      )}
      <SelectField
        name="bulk-invite-locale"
        label={t('invitations.pupil.locale')}
        value={locale}
        options={[{ value: '', label: t('invitations.pupil.localeDefault') }, ...LOCALES.map((l) => ({ value: l, label: LANGUAGE_ENDONYMS[l], lang: l }))]}
        onChange={setLocale}
        optional
      />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={invite.isPending || tooMany || pupils.length === 0}>
          {t('invitations.bulk.submit', { count: pupils.length })}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('invitations.bulk.cancel')}
        </button>
      </div>
    </form>
  );
}

/** What the bulk invitation made: how many letters, who was left out and why, and the letters to print. */
export function BulkInvitationResult({ result, onClose }: { result: BulkInvitationsResponse; onClose: () => void }) {
  const { t } = useTranslation();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const emailed = result.letters.filter((l) => l.emailed).length;
  const { notPupils, inactive, adults } = result.skipped;
  return (
    <section className="stack" aria-labelledby="bulk-invite-result-heading">
      <h2 id="bulk-invite-result-heading" ref={headingRef} tabIndex={-1}>
        {t('invitations.bulk.made', { count: result.letters.length })}
      </h2>
      <div role="status">
        <ul>
          {emailed > 0 && <li>{t('invitations.bulk.emailed', { count: emailed })}</li>}
          {notPupils > 0 && <li>{t('invitations.bulk.skippedNotPupils', { count: notPupils })}</li>}
          {inactive > 0 && <li>{t('invitations.bulk.skippedInactive', { count: inactive })}</li>}
          {adults > 0 && <li>{t('invitations.bulk.skippedAdults', { count: adults })}</li>}
        </ul>
      </div>
      <p>
        <button type="button" className="button" onClick={onClose}>
          {t('invitations.bulk.back')}
        </button>
      </p>
      {result.letters.length > 0 && <InvitationLettersView letters={result.letters} />}
    </section>
  );
}
