import { useTranslation } from 'react-i18next';
import type { InvitationLetter } from '../../../../../shared/api/invitations.ts';

/**
 * Letters to send home, each in its own language (the invitation's, or the pupil's), one per printed
 * page. The code is shown only now: Polku keeps only its hash, so a lost letter is re-sent with a new code.
 */
export function InvitationLettersView({ letters }: { letters: InvitationLetter[] }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="invitation-letters" aria-labelledby="invitation-letters-heading">
      <div className="invitation-letters__tools">
        <h3 id="invitation-letters-heading">{t('invitations.letters.heading', { n: letters.length })}</h3>
        <p>{t('invitations.letters.onlyNow')}</p>
        <button type="button" className="button button--primary" onClick={() => window.print()}>
          {t('invitations.letters.print')}
        </button>
      </div>
      {letters.map((letter) => {
        const lt = i18n.getFixedT(letter.locale);
        const validUntil = new Intl.DateTimeFormat(letter.locale, { dateStyle: 'long' }).format(new Date(letter.expiresAt));
        return (
          <article key={letter.invitationId} className="invitation-letter" lang={letter.locale}>
            <h4>{lt('invitations.letter.title', { pupil: letter.pupilName })}</h4>
            <p>{lt('invitations.letter.body', { pupil: letter.pupilName, school: letter.schoolName })}</p>
            <p>{lt('invitations.letter.howTo', { url: letter.acceptUrl })}</p>
            <p className="invitation-letter__code">
              {lt('invitations.letter.code')} <strong>{letter.code}</strong>
            </p>
            <p>{lt('invitations.letter.validUntil', { date: validUntil })}</p>
            <p className="invitation-letter__link">{letter.link}</p>
            {letter.emailed && <p className="invitation-letter__emailed">{t('invitations.letters.emailed')}</p>}
          </article>
        );
      })}
    </section>
  );
}
