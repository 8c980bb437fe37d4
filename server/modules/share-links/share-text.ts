import type { Locale } from '../../../shared/roles.ts';

/**
 * The public page's own texts (issue 12 §4); the rest (kinds, feedback, media) come from the offline
 * site's texts (site-text.ts), which are read without the client's i18n files just as this page is.
 */
export interface ShareText {
  sharedWork: string;
  madeBy: (name: string) => string;
  validUntil: (date: string) => string;
  readOnlyNote: string;
  passcodeTitle: string;
  passcodeIntro: string;
  passcodeLabel: string;
  passcodeSubmit: string;
  passcodeWrong: string;
  tooManyTitle: string;
  tooManyBody: string;
  unavailableTitle: string;
  unavailableBody: string;
  emptyShowcase: string;
  itemMissing: string;
}

export const SHARE_TEXT: Record<Locale, ShareText> = {
  fi: {
    sharedWork: 'Jaettu työ',
    madeBy: (name) => `Tekijä: ${name}`,
    validUntil: (date) => `Linkki on voimassa ${date} asti.`,
    readOnlyNote: 'Tämä on oppilaan jakama sivu. Sitä voi vain katsella.',
    passcodeTitle: 'Anna tunnuskoodi',
    passcodeIntro: 'Tämä jaettu sivu on suojattu tunnuskoodilla. Kysy koodia linkin lähettäjältä.',
    passcodeLabel: 'Tunnuskoodi',
    passcodeSubmit: 'Avaa',
    passcodeWrong: 'Tunnuskoodi ei ollut oikein. Yritä uudelleen.',
    tooManyTitle: 'Liian monta yritystä',
    tooManyBody: 'Odota hetki ja yritä sitten uudelleen.',
    unavailableTitle: 'Linkki ei ole käytettävissä',
    unavailableBody: 'Tämä linkki on vanhentunut, se on peruttu tai sitä ei ole olemassa. Pyydä tarvittaessa uusi linkki sen lähettäjältä.',
    emptyShowcase: 'Koosteessa ei ole vielä mitään.',
    itemMissing: 'Tämä työ ei ole enää saatavilla.',
  },
  sv: {
    sharedWork: 'Delat arbete',
    madeBy: (name) => `Av: ${name}`,
    validUntil: (date) => `Länken gäller till ${date}.`,
    readOnlyNote: 'Det här är en sida som en elev har delat. Den kan bara läsas.',
    passcodeTitle: 'Ange lösenkod',
    passcodeIntro: 'Den här delade sidan är skyddad med en lösenkod. Fråga den som skickade länken.',
    passcodeLabel: 'Lösenkod',
    passcodeSubmit: 'Öppna',
    passcodeWrong: 'Lösenkoden var fel. Försök igen.',
    tooManyTitle: 'För många försök',
    tooManyBody: 'Vänta en stund och försök sedan igen.',
    unavailableTitle: 'Länken är inte tillgänglig',
    unavailableBody: 'Länken har gått ut, har återkallats eller finns inte. Be vid behov den som skickade den om en ny länk.',
    emptyShowcase: 'Sammanställningen är ännu tom.',
    itemMissing: 'Det här arbetet finns inte längre.',
  },
  en: {
    sharedWork: 'Shared work',
    madeBy: (name) => `By ${name}`,
    validUntil: (date) => `This link works until ${date}.`,
    readOnlyNote: 'A pupil shared this page with you. It is read-only.',
    passcodeTitle: 'Enter the passcode',
    passcodeIntro: 'This shared page is protected by a passcode. Ask the person who sent you the link.',
    passcodeLabel: 'Passcode',
    passcodeSubmit: 'Open',
    passcodeWrong: 'That passcode was not right. Please try again.',
    tooManyTitle: 'Too many tries',
    tooManyBody: 'Please wait a while and try again.',
    unavailableTitle: 'This link is not available',
    unavailableBody: 'This link has expired, has been revoked or does not exist. If you need it, ask the person who sent it for a new link.',
    emptyShowcase: 'This showcase is still empty.',
    itemMissing: 'This work is no longer available.',
  },
};
