import type { ArtefactKind, ArtefactStatus, Visibility } from '../../../../../shared/portfolio.ts';
import type { Locale, SchoolRole } from '../../../../../shared/roles.ts';
import type { GuardianReaction } from '../../../../../shared/api/guardian-voice.ts';

/**
 * Every text of the offline site, in Finnish, Swedish and English. The site is read without Polku
 * (and without the client's i18n files), so its strings travel with the exporter. `satisfies`
 * makes each language carry every key; a unit test checks the same at run time.
 */
export interface SiteText {
  portfolioOf: (name: string) => string;
  siteDescription: string;
  skipToContent: string;
  mainNavigation: string;
  home: string;
  breadcrumb: string;
  pupil: string;
  schools: string;
  exportedOn: (date: string) => string;
  sharedOnly: string;
  projects: string;
  noProjects: string;
  artefacts: string;
  noArtefacts: string;
  noProject: string;
  schoolYear: string;
  period: string;
  subjects: string;
  tags: string;
  competences: string;
  goals: string;
  phases: string;
  phase: string;
  project: string;
  teachers: string;
  description: string;
  artefactsOfProject: string;
  created: string;
  updated: string;
  readyOn: string;
  status: string;
  visibility: string;
  kind: string;
  content: string;
  media: string;
  removedMedia: string;
  download: (name: string) => string;
  openFile: (name: string) => string;
  imageMissingAlt: (n: number) => string;
  links: string;
  history: string;
  versionHeading: (n: number) => string;
  savedBy: string;
  versionMediaCount: (n: number) => string;
  feedback: string;
  noFeedback: string;
  repliesTo: string;
  imported: string;
  unknownAuthor: string;
  edited: (date: string) => string;
  importedFrom: (source: string) => string;
  statuses: Record<ArtefactStatus, string>;
  visibilities: Record<Visibility, string>;
  kinds: Record<ArtefactKind, string>;
  roles: Record<SchoolRole, string>;
  madeWith: string;
  /** Issue 10 §5: peer feedback received ("two stars and a wish"). */
  peer: { heading: string; star1: string; star2: string; wish: string };
  /** Issue 12 §2: guardians' reactions (counts) and comments. */
  guardianVoice: { heading: string; reactions: string; fromGuardian: string; reaction: Record<GuardianReaction, string> };
  /** Issue 12 §3: showcases, the pupil's chosen work with a reflection on each. */
  showcase: { heading: string; none: string; whyChosen: string; openWork: (title: string) => string; missingWork: string; items: (n: number) => string };
  /** Issue 10 §8: goal pages (criteria, the growth table) and the uptake loop in feedback. */
  assessment: {
    criteria: string;
    growth: string;
    growthCaption: string;
    date: string;
    self: string;
    teacher: string;
    reflection: string;
    evidence: string;
    assessedBy: string;
    noAssessments: string;
    scale: string;
    openGoal: (text: string) => string;
    revise: string;
    answeredIn: (n: number) => string;
    /** Issue 10 §2–3: voice messages, spoken reflections, and what part of the work feedback is about. */
    voice: string;
    voiceReflection: string;
    region: (n: number, x: number, y: number, w: number, h: number) => string;
    moment: (when: string, name: string) => string;
  };
}

export const SITE_TEXT = {
  fi: {
    showcase: {
      heading: 'Koosteet',
      none: 'Ei koosteita.',
      whyChosen: 'Miksi valitsin tämän',
      openWork: (title) => `Avaa työ ${title}`,
      missingWork: 'Tämä työ ei ole mukana tässä kopiossa.',
      items: (n) => (n === 1 ? '1 työ tai teksti' : `${n} työtä tai tekstiä`),
    },
    peer: { heading: 'Vertaispalaute', star1: 'Tähti: tämä onnistui', star2: 'Toinen tähti: tämäkin onnistui', wish: 'Toive: tätä voisi parantaa' },
    guardianVoice: {
      heading: 'Huoltajien reaktiot ja kommentit',
      reactions: 'Reaktiot',
      fromGuardian: 'Huoltajalta',
      reaction: { heart: 'Ihana', star: 'Tähtityö', clap: 'Hienosti tehty', smile: 'Ilahdutti', wow: 'Vau' },
    },
    portfolioOf: (name) => `${name}: portfolio`,
    siteDescription: 'Tämä on portfolion offline-kopio. Se toimii ilman Polkua ja ilman verkkoyhteyttä.',
    skipToContent: 'Siirry sisältöön',
    mainNavigation: 'Päävalikko',
    home: 'Etusivu',
    breadcrumb: 'Sijainti',
    pupil: 'Oppilas',
    schools: 'Koulu',
    exportedOn: (date) => `Viety ${date}`,
    sharedOnly: 'Mukana ovat vain huoltajien kanssa jaetut työt.',
    projects: 'Projektit',
    noProjects: 'Ei projekteja.',
    artefacts: 'Kaikki työt',
    noArtefacts: 'Ei töitä.',
    noProject: 'Ei projektia',
    schoolYear: 'Lukuvuosi',
    period: 'Ajankohta',
    subjects: 'Oppiaineet',
    tags: 'Tunnisteet',
    competences: 'Laaja-alainen osaaminen',
    goals: 'Tavoitteet',
    phases: 'Vaiheet',
    phase: 'Vaihe',
    project: 'Projekti',
    teachers: 'Opettajat',
    description: 'Kuvaus',
    artefactsOfProject: 'Projektin työt',
    created: 'Luotu',
    updated: 'Muokattu',
    readyOn: 'Valmis palautteelle',
    status: 'Tila',
    visibility: 'Näkyvyys',
    kind: 'Laji',
    content: 'Teksti ja pohdinta',
    media: 'Kuvat, äänet ja tiedostot',
    removedMedia: 'Poistettu myöhemmässä versiossa',
    download: (name) => `Lataa ${name}`,
    openFile: (name) => `Avaa tiedosto ${name}`,
    imageMissingAlt: (n) => `Kuva ${n}`,
    links: 'Linkit',
    history: 'Versiohistoria',
    versionHeading: (n) => `Versio ${n}`,
    savedBy: 'Tallentaja',
    versionMediaCount: (n) => `Liitteitä: ${n}`,
    feedback: 'Palaute',
    noFeedback: 'Ei palautetta.',
    repliesTo: 'Vastaukset',
    imported: 'tuotu',
    unknownAuthor: 'Tuntematon kirjoittaja',
    edited: (date) => `muokattu ${date}`,
    importedFrom: (source) => `Tuotu lähteestä ${source}`,
    statuses: { draft: 'Luonnos', ready: 'Valmis palautteelle' },
    visibilities: { private: 'Oppilas ja opettajat', guardians: 'Jaettu huoltajille' },
    kinds: { text: 'Teksti', image: 'Kuva', drawing: 'Piirros', audio: 'Äänite', video: 'Video', file: 'Tiedosto', link: 'Linkki' },
    roles: { pupil: 'oppilas', teacher: 'opettaja', guardian: 'huoltaja', admin: 'ylläpitäjä' },
    madeWith: 'Tehty Polku-portfoliolla.',
    assessment: {
      criteria: 'Onnistumisen kriteerit',
      growth: 'Kasvu',
      growthCaption: 'Omat arviot ja opettajan tasot ajan mittaan',
      date: 'Päivä',
      self: 'Oma arvio',
      teacher: 'Opettajan taso',
      reflection: 'Pohdinta',
      evidence: 'Työt',
      assessedBy: 'Arvioija',
      noAssessments: 'Ei vielä arvioita.',
      scale: 'Asteikko',
      openGoal: (text) => `Tavoite: ${text}`,
      revise: 'Pyyntö korjata tai täydentää',
      answeredIn: (n) => `Vastattu versiossa ${n}`,
      voice: 'Ääniviesti',
      voiceReflection: 'Puhuttu pohdinta',
      region: (n, x, y, w, h) => `Koskee kuvan ${n} aluetta: ${x} % vasemmalta, ${y} % ylhäältä, ${w} % leveä, ${h} % korkea`,
      moment: (when, name) => `Koskee kohtaa ${when} tiedostossa ${name}`,
    },
  },
  sv: {
    showcase: {
      heading: 'Sammanställningar',
      none: 'Inga sammanställningar.',
      whyChosen: 'Varför jag valde det här',
      openWork: (title) => `Öppna arbetet ${title}`,
      missingWork: 'Det här arbetet finns inte med i den här kopian.',
      items: (n) => (n === 1 ? '1 arbete eller text' : `${n} arbeten eller texter`),
    },
    guardianVoice: {
      heading: 'Vårdnadshavares reaktioner och kommentarer',
      reactions: 'Reaktioner',
      fromGuardian: 'Från en vårdnadshavare',
      reaction: { heart: 'Underbart', star: 'Stjärnarbete', clap: 'Bra gjort', smile: 'Fick mig att le', wow: 'Wow' },
    },
    peer: {
      heading: 'Kamratrespons',
      star1: 'Stjärna: det här lyckades',
      star2: 'Andra stjärnan: det här lyckades också',
      wish: 'Önskan: det här kunde bli bättre',
    },
    portfolioOf: (name) => `${name}: portfolio`,
    siteDescription: 'Det här är en offlinekopia av portfolion. Den fungerar utan Polku och utan nätförbindelse.',
    skipToContent: 'Hoppa till innehållet',
    mainNavigation: 'Huvudmeny',
    home: 'Startsida',
    breadcrumb: 'Plats',
    pupil: 'Elev',
    schools: 'Skola',
    exportedOn: (date) => `Exporterad ${date}`,
    sharedOnly: 'Endast arbeten som delats med vårdnadshavarna ingår.',
    projects: 'Projekt',
    noProjects: 'Inga projekt.',
    artefacts: 'Alla arbeten',
    noArtefacts: 'Inga arbeten.',
    noProject: 'Inget projekt',
    schoolYear: 'Läsår',
    period: 'Tidpunkt',
    subjects: 'Läroämnen',
    tags: 'Taggar',
    competences: 'Mångsidig kompetens',
    goals: 'Mål',
    phases: 'Faser',
    phase: 'Fas',
    project: 'Projekt',
    teachers: 'Lärare',
    description: 'Beskrivning',
    artefactsOfProject: 'Projektets arbeten',
    created: 'Skapad',
    updated: 'Ändrad',
    readyOn: 'Klar för respons',
    status: 'Status',
    visibility: 'Synlighet',
    kind: 'Typ',
    content: 'Text och reflektion',
    media: 'Bilder, ljud och filer',
    removedMedia: 'Borttagen i en senare version',
    download: (name) => `Ladda ner ${name}`,
    openFile: (name) => `Öppna filen ${name}`,
    imageMissingAlt: (n) => `Bild ${n}`,
    links: 'Länkar',
    history: 'Versionshistorik',
    versionHeading: (n) => `Version ${n}`,
    savedBy: 'Sparad av',
    versionMediaCount: (n) => `Bilagor: ${n}`,
    feedback: 'Respons',
    noFeedback: 'Ingen respons.',
    repliesTo: 'Svar',
    imported: 'importerad',
    unknownAuthor: 'Okänd skribent',
    edited: (date) => `ändrad ${date}`,
    importedFrom: (source) => `Importerad från ${source}`,
    statuses: { draft: 'Utkast', ready: 'Klar för respons' },
    visibilities: { private: 'Eleven och lärarna', guardians: 'Delad med vårdnadshavare' },
    kinds: { text: 'Text', image: 'Bild', drawing: 'Teckning', audio: 'Ljudinspelning', video: 'Video', file: 'Fil', link: 'Länk' },
    roles: { pupil: 'elev', teacher: 'lärare', guardian: 'vårdnadshavare', admin: 'administratör' },
    madeWith: 'Gjord med portfolion Polku.',
    assessment: {
      criteria: 'Kriterier för lyckat resultat',
      growth: 'Utveckling',
      growthCaption: 'Egna bedömningar och lärarens nivåer över tid',
      date: 'Datum',
      self: 'Egen bedömning',
      teacher: 'Lärarens nivå',
      reflection: 'Reflektion',
      evidence: 'Arbeten',
      assessedBy: 'Bedömare',
      noAssessments: 'Inga bedömningar ännu.',
      scale: 'Skala',
      openGoal: (text) => `Mål: ${text}`,
      revise: 'Begäran om att rätta eller komplettera',
      answeredIn: (n) => `Besvarad i version ${n}`,
      voice: 'Röstmeddelande',
      voiceReflection: 'Inspelad reflektion',
      region: (n, x, y, w, h) => `Gäller ett område av bild ${n}: ${x} % från vänster, ${y} % uppifrån, ${w} % bred, ${h} % hög`,
      moment: (when, name) => `Gäller ögonblicket ${when} i ${name}`,
    },
  },
  en: {
    showcase: {
      heading: 'Showcases',
      none: 'No showcases.',
      whyChosen: 'Why I chose this',
      openWork: (title) => `Open the work ${title}`,
      missingWork: 'This work is not part of this copy.',
      items: (n) => (n === 1 ? '1 work or text' : `${n} works or texts`),
    },
    peer: { heading: 'Peer feedback', star1: 'Star: this went well', star2: 'Second star: this went well too', wish: 'Wish: this could be better' },
    guardianVoice: {
      heading: "Guardians' reactions and comments",
      reactions: 'Reactions',
      fromGuardian: 'From a guardian',
      reaction: { heart: 'Love it', star: 'Star work', clap: 'Well done', smile: 'Made me smile', wow: 'Wow' },
    },
    portfolioOf: (name) => `${name}: portfolio`,
    siteDescription: 'This is an offline copy of the portfolio. It works without Polku and without a network connection.',
    skipToContent: 'Skip to content',
    mainNavigation: 'Main navigation',
    home: 'Home',
    breadcrumb: 'You are here',
    pupil: 'Pupil',
    schools: 'School',
    exportedOn: (date) => `Exported on ${date}`,
    sharedOnly: 'Only work shared with guardians is included.',
    projects: 'Projects',
    noProjects: 'No projects.',
    artefacts: 'All work',
    noArtefacts: 'No work yet.',
    noProject: 'No project',
    schoolYear: 'School year',
    period: 'Dates',
    subjects: 'Subjects',
    tags: 'Tags',
    competences: 'Transversal competences',
    goals: 'Goals',
    phases: 'Phases',
    phase: 'Phase',
    project: 'Project',
    teachers: 'Teachers',
    description: 'Description',
    artefactsOfProject: 'Work in this project',
    created: 'Created',
    updated: 'Updated',
    readyOn: 'Ready for feedback',
    status: 'Status',
    visibility: 'Visibility',
    kind: 'Kind',
    content: 'Text and reflection',
    media: 'Pictures, sound and files',
    removedMedia: 'Removed in a later version',
    download: (name) => `Download ${name}`,
    openFile: (name) => `Open file ${name}`,
    imageMissingAlt: (n) => `Picture ${n}`,
    links: 'Links',
    history: 'Version history',
    versionHeading: (n) => `Version ${n}`,
    savedBy: 'Saved by',
    versionMediaCount: (n) => `Attachments: ${n}`,
    feedback: 'Feedback',
    noFeedback: 'No feedback.',
    repliesTo: 'Replies',
    imported: 'imported',
    unknownAuthor: 'Unknown author',
    edited: (date) => `edited ${date}`,
    importedFrom: (source) => `Imported from ${source}`,
    statuses: { draft: 'Draft', ready: 'Ready for feedback' },
    visibilities: { private: 'Pupil and teachers', guardians: 'Shared with guardians' },
    kinds: { text: 'Text', image: 'Picture', drawing: 'Drawing', audio: 'Recording', video: 'Video', file: 'File', link: 'Link' },
    roles: { pupil: 'pupil', teacher: 'teacher', guardian: 'guardian', admin: 'admin' },
    madeWith: 'Made with the Polku portfolio.',
    assessment: {
      criteria: 'Success criteria',
      growth: 'Growth',
      growthCaption: 'Self-assessments and teacher levels over time',
      date: 'Date',
      self: 'Self-assessment',
      teacher: 'Teacher level',
      reflection: 'Reflection',
      evidence: 'Work',
      assessedBy: 'Assessed by',
      noAssessments: 'No assessments yet.',
      scale: 'Scale',
      openGoal: (text) => `Goal: ${text}`,
      revise: 'Request to revise or complete',
      answeredIn: (n) => `Answered in version ${n}`,
      voice: 'Voice message',
      voiceReflection: 'Spoken reflection',
      region: (n, x, y, w, h) => `About a region of picture ${n}: ${x}% from the left, ${y}% from the top, ${w}% wide, ${h}% high`,
      moment: (when, name) => `About the moment ${when} of ${name}`,
    },
  },
} satisfies Record<Locale, SiteText>;

export function siteText(locale: Locale): SiteText {
  return SITE_TEXT[locale];
}
