import type { Digest } from '../../../shared/api/digest.ts';
import type { Notification } from '../../../shared/api/notifications.ts';
import type { Locale } from '../../../shared/roles.ts';
import { escapeHtml, oneLine, type MailMessage } from '../mail/templates.ts';

/**
 * The weekly digest and the "every new item" message as e-mail (issue 12 §5), text and HTML. Only words and
 * links to the app: no media, no signed URL and no token, so a forwarded e-mail opens nothing by itself.
 */
interface Words {
  subject: (week: string) => string;
  hello: string;
  intro: (from: string, to: string) => string;
  shared: string;
  goals: string;
  latestSelf: (label: string) => string;
  noSelf: string;
  feedback: string;
  feedbackBy: (author: string, title: string) => string;
  nothing: string;
  open: string;
  footer: string;
  newItem: string;
  notification: (n: Notification) => string;
}

const words: Record<Locale, Words> = {
  fi: {
    subject: (w) => `Polku: viikkokooste ${w}`,
    hello: 'Hei,',
    intro: (f, t) => `Tässä lapsesi viikko Polussa (${f}–${t}).`,
    shared: 'Jaetut työt',
    goals: 'Tavoitteet, joiden parissa työskenneltiin',
    latestSelf: (l) => `viimeisin jaettu itsearviointi: ${l}`,
    noSelf: 'ei jaettua itsearviointia',
    feedback: 'Opettajan palaute',
    feedbackBy: (a, t) => `${a} työhön ”${t}”`,
    nothing: 'Tällä viikolla ei jaettu mitään uutta.',
    open: 'Avaa Polku:',
    footer: 'Voit muuttaa viestien asetuksia Polussa kohdassa Ilmoitukset → Asetukset.',
    newItem: 'Polku: uutta sinulle',
    notification: (n) => notificationLine('fi', n),
  },
  sv: {
    subject: (w) => `Polku: veckosammandrag ${w}`,
    hello: 'Hej,',
    intro: (f, t) => `Här är ditt barns vecka i Polku (${f}–${t}).`,
    shared: 'Delade arbeten',
    goals: 'Mål som barnet arbetade med',
    latestSelf: (l) => `senaste delade självbedömning: ${l}`,
    noSelf: 'ingen delad självbedömning',
    feedback: 'Lärarens respons',
    feedbackBy: (a, t) => `${a} om arbetet ”${t}”`,
    nothing: 'Inget nytt delades den här veckan.',
    open: 'Öppna Polku:',
    footer: 'Du kan ändra inställningarna för meddelanden i Polku under Aviseringar → Inställningar.',
    newItem: 'Polku: något nytt för dig',
    notification: (n) => notificationLine('sv', n),
  },
  en: {
    subject: (w) => `Polku: weekly digest ${w}`,
    hello: 'Hello,',
    intro: (f, t) => `Here is your child's week in Polku (${f}–${t}).`,
    shared: 'Shared work',
    goals: 'Goals worked on',
    latestSelf: (l) => `latest shared self-assessment: ${l}`,
    noSelf: 'no shared self-assessment',
    feedback: "Teachers' feedback",
    feedbackBy: (a, t) => `${a} on "${t}"`,
    nothing: 'Nothing new was shared this week.',
    open: 'Open Polku:',
    footer: 'You can change your message settings in Polku under Notifications → Settings.',
    newItem: 'Polku: something new for you',
    notification: (n) => notificationLine('en', n),
  },
};

function notificationLine(locale: Locale, n: Notification): string {
  const t = {
    fi: {
      feedback: (d: { title: string; authorName: string }) => `${d.authorName} antoi palautetta työhön ”${d.title}”.`,
      revision_requested: (d: { title: string; authorName: string }) => `${d.authorName} pyysi täydentämään työtä ”${d.title}”.`,
      shared_work: (d: { title: string; pupilName: string }) => `${d.pupilName} jakoi työn ”${d.title}”.`,
      invitation_accepted: (d: { pupilName: string; guardianName: string }) => `${d.guardianName} hyväksyi kutsun oppilaan ${d.pupilName} huoltajaksi.`,
      guardian_comment: (d: { title: string; showcaseId?: string }) =>
        d.showcaseId ? `Huoltaja kommentoi koostetta ”${d.title}”.` : `Huoltaja kommentoi työtä ”${d.title}”.`,
      item_approved: (d: { title: string; teacherName: string }) => `${d.teacherName} hyväksyi työn ”${d.title}” huoltajien nähtäväksi.`,
      item_returned: (d: { title: string; teacherName: string }) => `${d.teacherName} palautti työn ”${d.title}” ennen kuin huoltajat näkevät sen.`,
      approval_requested: (d: { title: string; pupilName: string }) => `${d.pupilName} jakoi työn ”${d.title}”: se odottaa hyväksyntääsi.`,
      showcase_approval_requested: (d: { title: string; pupilName: string }) =>
        `${d.pupilName} jakoi koosteen ”${d.title}” huoltajille: se odottaa hyväksyntääsi.`,
      showcase_approved: (d: { title: string; teacherName: string }) => `${d.teacherName} hyväksyi koosteen ”${d.title}” huoltajien nähtäväksi.`,
      showcase_returned: (d: { title: string; teacherName: string }) => `${d.teacherName} palautti koosteen ”${d.title}” ennen kuin huoltajat näkevät sen.`,
      shared_showcase: (d: { title: string; pupilName: string }) => `${d.pupilName} jakoi koosteen ”${d.title}”.`,
    },
    sv: {
      feedback: (d: { title: string; authorName: string }) => `${d.authorName} gav respons på arbetet ”${d.title}”.`,
      revision_requested: (d: { title: string; authorName: string }) => `${d.authorName} bad om komplettering av arbetet ”${d.title}”.`,
      shared_work: (d: { title: string; pupilName: string }) => `${d.pupilName} delade arbetet ”${d.title}”.`,
      invitation_accepted: (d: { pupilName: string; guardianName: string }) => `${d.guardianName} tog emot inbjudan som vårdnadshavare för ${d.pupilName}.`,
      guardian_comment: (d: { title: string; showcaseId?: string }) =>
        d.showcaseId ? `En vårdnadshavare kommenterade samlingen ”${d.title}”.` : `En vårdnadshavare kommenterade arbetet ”${d.title}”.`,
      item_approved: (d: { title: string; teacherName: string }) => `${d.teacherName} godkände arbetet ”${d.title}” för vårdnadshavarna.`,
      item_returned: (d: { title: string; teacherName: string }) => `${d.teacherName} skickade tillbaka arbetet ”${d.title}” innan vårdnadshavarna ser det.`,
      approval_requested: (d: { title: string; pupilName: string }) => `${d.pupilName} delade arbetet ”${d.title}”: det väntar på ditt godkännande.`,
      showcase_approval_requested: (d: { title: string; pupilName: string }) =>
        `${d.pupilName} delade samlingen ”${d.title}” med vårdnadshavarna: den väntar på ditt godkännande.`,
      showcase_approved: (d: { title: string; teacherName: string }) => `${d.teacherName} godkände samlingen ”${d.title}” för vårdnadshavarna.`,
      showcase_returned: (d: { title: string; teacherName: string }) =>
        `${d.teacherName} skickade tillbaka samlingen ”${d.title}” innan vårdnadshavarna ser den.`,
      shared_showcase: (d: { title: string; pupilName: string }) => `${d.pupilName} delade samlingen ”${d.title}”.`,
    },
    en: {
      feedback: (d: { title: string; authorName: string }) => `${d.authorName} gave feedback on "${d.title}".`,
      revision_requested: (d: { title: string; authorName: string }) => `${d.authorName} asked for a revision of "${d.title}".`,
      shared_work: (d: { title: string; pupilName: string }) => `${d.pupilName} shared "${d.title}".`,
      invitation_accepted: (d: { pupilName: string; guardianName: string }) => `${d.guardianName} accepted the invitation as a guardian of ${d.pupilName}.`,
      guardian_comment: (d: { title: string; showcaseId?: string }) =>
        d.showcaseId ? `A guardian commented on the showcase "${d.title}".` : `A guardian commented on "${d.title}".`,
      item_approved: (d: { title: string; teacherName: string }) => `${d.teacherName} approved "${d.title}" for guardians.`,
      item_returned: (d: { title: string; teacherName: string }) => `${d.teacherName} returned "${d.title}" before guardians see it.`,
      approval_requested: (d: { title: string; pupilName: string }) => `${d.pupilName} shared "${d.title}": it waits for your approval.`,
      showcase_approval_requested: (d: { title: string; pupilName: string }) =>
        `${d.pupilName} shared the showcase "${d.title}" with guardians: it waits for your approval.`,
      showcase_approved: (d: { title: string; teacherName: string }) => `${d.teacherName} approved the showcase "${d.title}" for guardians.`,
      showcase_returned: (d: { title: string; teacherName: string }) => `${d.teacherName} returned the showcase "${d.title}" before guardians see it.`,
      shared_showcase: (d: { title: string; pupilName: string }) => `${d.pupilName} shared the showcase "${d.title}".`,
    },
  }[locale];
  switch (n.kind) {
    case 'feedback':
      return t.feedback(n.data);
    case 'revision_requested':
      return t.revision_requested(n.data);
    case 'shared_work':
      return t.shared_work(n.data);
    case 'invitation_accepted':
      return t.invitation_accepted(n.data);
    case 'guardian_comment':
      return t.guardian_comment(n.data);
    case 'item_approved':
      return t.item_approved(n.data);
    case 'item_returned':
      return t.item_returned(n.data);
    case 'approval_requested':
      return t.approval_requested(n.data);
    case 'showcase_approval_requested':
      return t.showcase_approval_requested(n.data);
    case 'showcase_approved':
      return t.showcase_approved(n.data);
    case 'showcase_returned':
      return t.showcase_returned(n.data);
    case 'shared_showcase':
      return t.shared_showcase(n.data);
  }
}

const dateIn = (iso: string, locale: Locale, timeZone: string) =>
  new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : `${locale}-FI`, { timeZone, day: 'numeric', month: 'numeric', year: 'numeric' }).format(new Date(iso));

type Block = { heading: string } | { text: string } | { item: string; sub?: string } | { link: string };

function render(kind: MailMessage['kind'], subject: string, blocks: Block[]): MailMessage {
  const text = blocks
    .map((b) =>
      'heading' in b
        ? `\n${oneLine(b.heading)}`
        : 'item' in b
          ? `- ${oneLine(b.item)}${b.sub ? `\n  ${oneLine(b.sub)}` : ''}`
          : 'link' in b
            ? b.link
            : oneLine(b.text),
    )
    .join('\n');
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    ...blocks.map((b) =>
      'heading' in b
        ? `<h2 style="font-size: 1.1em">${escapeHtml(oneLine(b.heading))}</h2>`
        : 'item' in b
          ? `<p>• ${escapeHtml(oneLine(b.item))}${b.sub ? `<br><span style="color: #444">${escapeHtml(oneLine(b.sub))}</span>` : ''}</p>`
          : 'link' in b
            ? `<p><a href="${escapeHtml(b.link)}">${escapeHtml(b.link)}</a></p>`
            : `<p>${escapeHtml(oneLine(b.text))}</p>`,
    ),
    '</body></html>',
  ].join('\n');
  return { kind, subject: oneLine(subject), text: `${text}\n`, html };
}

export function digestMail(locale: Locale, digest: Digest, publicUrl: string): MailMessage {
  const w = words[locale];
  const blocks: Block[] = [{ text: w.hello }, { text: w.intro(dateIn(digest.from, locale, digest.timeZone), dateIn(digest.to, locale, digest.timeZone)) }];
  for (const child of digest.children) {
    if (child.shared.length + child.goals.length + child.feedback.length === 0) continue;
    blocks.push({ heading: child.pupil.displayName });
    if (child.shared.length > 0) blocks.push({ text: `${w.shared}:` }, ...child.shared.map((s) => ({ item: s.title })));
    if (child.goals.length > 0)
      blocks.push(
        { text: `${w.goals}:` },
        ...child.goals.map((g) => ({
          item: `${g.text} (${g.projectTitle})`,
          sub: g.latestSelf
            ? w.latestSelf(`${g.latestSelf.label ?? g.latestSelf.level + 1}${g.latestSelf.reflection ? ` – ${g.latestSelf.reflection}` : ''}`)
            : w.noSelf,
        })),
      );
    if (child.feedback.length > 0)
      blocks.push({ text: `${w.feedback}:` }, ...child.feedback.map((f) => ({ item: w.feedbackBy(f.authorName, f.artefactTitle), sub: f.body })));
  }
  if (blocks.length === 2) blocks.push({ text: w.nothing });
  blocks.push({ text: w.open }, { link: `${publicUrl}/digest?week=${digest.week}` }, { text: w.footer });
  return render('weeklyDigest', w.subject(digest.week), blocks);
}

export function notificationMail(locale: Locale, notification: Notification, publicUrl: string): MailMessage {
  const w = words[locale];
  return render('newNotification', w.newItem, [
    { text: w.hello },
    { text: w.notification(notification) },
    { text: w.open },
    { link: `${publicUrl}/notifications` },
    { text: w.footer },
  ]);
}

/** Push titles: generic, no names or content (they show on a lock screen). */
export const pushTitles: Record<Locale, { digest: string; newItem: string }> = {
  fi: { digest: 'Polku: viikkokooste on valmis', newItem: 'Polku: uusi ilmoitus' },
  sv: { digest: 'Polku: veckosammandraget är klart', newItem: 'Polku: ny avisering' },
  en: { digest: 'Polku: your weekly digest is ready', newItem: 'Polku: new notification' },
};
