import type { Locale } from '../../../shared/roles.ts';

/** One e-mail in plain text and HTML. Every value put into the HTML is escaped. */
export interface MailMessage {
  readonly kind: 'guardianInvitation' | 'passwordReset' | 'weeklyDigest' | 'newNotification';
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Text with no line breaks a mail client could take for headers or markup; names come from people. */
export const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').trim();

export interface InvitationMailFacts {
  pupilName: string;
  schoolName: string;
  code: string;
  link: string;
  /** The last day the code works, already written out for the reader (e.g. 31.12.2026). */
  validUntil: string;
}

export interface ResetMailFacts {
  displayName: string;
  username: string;
  link: string;
  minutes: number;
}

const invitationText: Record<Locale, (f: InvitationMailFacts) => { subject: string; lines: string[] }> = {
  fi: (f) => ({
    subject: `Kutsu Polkuun: ${f.pupilName}`,
    lines: [
      'Hei,',
      `${f.schoolName} kutsuu sinut huoltajana seuraamaan oppilaan ${f.pupilName} portfoliota Polussa.`,
      'Avaa linkki ja luo tunnus tai kirjaudu olemassa olevalla huoltajan tunnuksellasi:',
      '{link}',
      `Kutsukoodi: ${f.code}`,
      `Koodi on voimassa ${f.validUntil} asti ja toimii kerran. Jos et odottanut tätä viestiä, voit jättää sen huomiotta.`,
    ],
  }),
  sv: (f) => ({
    subject: `Inbjudan till Polku: ${f.pupilName}`,
    lines: [
      'Hej,',
      `${f.schoolName} bjuder in dig som vårdnadshavare att följa elevens ${f.pupilName} portfolio i Polku.`,
      'Öppna länken och skapa ett konto eller logga in med ditt befintliga vårdnadshavarkonto:',
      '{link}',
      `Inbjudningskod: ${f.code}`,
      `Koden gäller till och med ${f.validUntil} och fungerar en gång. Om du inte väntade dig detta meddelande kan du bortse från det.`,
    ],
  }),
  en: (f) => ({
    subject: `Invitation to Polku: ${f.pupilName}`,
    lines: [
      'Hello,',
      `${f.schoolName} invites you as a guardian to follow the portfolio of ${f.pupilName} in Polku.`,
      'Open the link and create an account, or sign in with your existing guardian account:',
      '{link}',
      `Invitation code: ${f.code}`,
      `The code works once, until ${f.validUntil}. If you did not expect this message, you can ignore it.`,
    ],
  }),
};

const resetText: Record<Locale, (f: ResetMailFacts) => { subject: string; lines: string[] }> = {
  fi: (f) => ({
    subject: 'Polku: salasanan vaihto',
    lines: [
      `Hei ${f.displayName},`,
      `Tunnuksellesi ${f.username} pyydettiin uutta salasanaa. Vaihda salasana tästä linkistä:`,
      '{link}',
      `Linkki toimii kerran ja ${f.minutes} minuutin ajan. Jos et pyytänyt vaihtoa, voit jättää viestin huomiotta: salasanasi ei muutu.`,
    ],
  }),
  sv: (f) => ({
    subject: 'Polku: byt lösenord',
    lines: [
      `Hej ${f.displayName},`,
      `Ett nytt lösenord begärdes för kontot ${f.username}. Byt lösenord via den här länken:`,
      '{link}',
      `Länken fungerar en gång och i ${f.minutes} minuter. Om du inte bad om det kan du bortse från meddelandet: ditt lösenord ändras inte.`,
    ],
  }),
  en: (f) => ({
    subject: 'Polku: reset your password',
    lines: [
      `Hello ${f.displayName},`,
      `A new password was asked for the account ${f.username}. Set a new password with this link:`,
      '{link}',
      `The link works once, for ${f.minutes} minutes. If you did not ask for this, you can ignore this message: your password does not change.`,
    ],
  }),
};

function render(kind: MailMessage['kind'], content: { subject: string; lines: string[] }, link: string): MailMessage {
  const text = `${content.lines.map((l) => (l === '{link}' ? link : l)).join('\n\n')}\n`;
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    ...content.lines.map((l) => (l === '{link}' ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : `<p>${escapeHtml(l)}</p>`)),
    '</body></html>',
  ].join('\n');
  return { kind, subject: oneLine(content.subject), text, html };
}

export function invitationMail(locale: Locale, facts: InvitationMailFacts): MailMessage {
  const clean = { ...facts, pupilName: oneLine(facts.pupilName), schoolName: oneLine(facts.schoolName) };
  return render('guardianInvitation', invitationText[locale](clean), facts.link);
}

export function passwordResetMail(locale: Locale, facts: ResetMailFacts): MailMessage {
  return render('passwordReset', resetText[locale]({ ...facts, displayName: oneLine(facts.displayName) }), facts.link);
}
