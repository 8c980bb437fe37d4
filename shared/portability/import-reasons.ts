/**
 * Why an item of an import preview or report is created, skipped or not mapped: a closed set of
 * codes with their params. The client words them with `imports.reason.<code>` in fi/sv/en; the
 * server's English `reason` (CLI, logs) comes from the table below, which en.json repeats word for
 * word (client/src/i18n/import-messages.test.ts keeps the two equal).
 */
import { type MessageParams, cleanParams, formatMessage } from './import-messages.ts';

type NoParams = Record<never, never>;

/** The params each code interpolates. */
export interface ImportReasonParams {
  // Polku archives
  'project-exists': NoParams;
  'project-new-id': NoParams;
  'artefact-exists': NoParams;
  'artefact-new-id': NoParams;
  'media-exists': NoParams;
  'media-no-original': NoParams;
  'feedback-exists': NoParams;
  'version-exists': NoParams;
  'assessment-exists': NoParams;
  'assessment-no-goal': NoParams;
  'assessment-off-scale': NoParams;
  'polku-goal': NoParams;
  // Media files, either format
  'media-not-included': NoParams;
  'media-missing': { file: string };
  'media-unsupported': { file: string };
  'media-format-unreadable': { file: string; format: string };
  'media-refused': { file: string };
  'media-cleaned': NoParams;
  // LEAP2A
  'learner-details': NoParams;
  'imported-before': NoParams;
  'no-usable-file': { count: number };
  'resource-as-text': NoParams;
  'leap-type-as-text': { type: string };
  'unknown-type-as-text': { type: string };
  'web-link-added': { title: string; context?: never } | { context: 'untitled'; title?: never };
  'web-link-imported-before': NoParams;
  'web-link-not-imported': NoParams;
  'collection-not-work': { count: number };
  'collection-empty': NoParams;
  'project-created': { count: number };
  'competence-assigned': { label: string; count: number };
  'subject-assigned': { label: string; count: number };
  'competence-work-imported-before': { label: string };
  'subject-work-imported-before': { label: string };
  'competence-no-work': { label: string };
  'subject-no-work': { label: string };
  'ability-as-text': NoParams;
  'comment-on-unimported': NoParams;
  'comment-target-missing': NoParams;
  'comment-work-imported-before': NoParams;
  'comment-empty': NoParams;
  'feedback-imported': { author: string };
  'feedback-imported-anonymous': NoParams;
  // Google Takeout and Seesaw
  'foreign-part-unknown': { file: string };
  'archive-viewer': { file: string };
  'sidecar-unreadable': { file: string };
  'date-unreadable': { value: string };
  'date-missing': NoParams;
  'page-unreadable': { file: string };
  'page-truncated': { file: string; max: number };
  // Mahara's shapes (leap2a-mahara-plan.ts)
  'learner-profile': { count: number };
  'page-as-text': { count: number };
  'collection-as-project': { count: number };
  'attachment-of-post': { title: string };
  'plan-with-tasks': { count: number };
  'task-in-plan': { title: string };
  // Showcases (issue 12 §3)
  'showcase-exists': NoParams;
  'showcase-new-id': NoParams;
  'page-as-showcase': { count: number };
  'collection-as-showcase': { count: number };
  'page-in-collection': { title: string };
}
export type ImportReasonCode = keyof ImportReasonParams;

/** English, in i18next's syntax; plural codes have `_one` and `_other`. */
export const IMPORT_REASONS_EN = {
  'project-exists': 'The project is already here.',
  'project-new-id': 'A project with this id is here but is not part of this portfolio: imported as the pupil’s own project under a new id.',
  'artefact-exists': 'Already in the portfolio.',
  'artefact-new-id': 'An item with this id belongs to another pupil here: imported under a new id.',
  'media-exists': 'The same file is already in this artefact.',
  'media-no-original': 'The archive has no original of this file.',
  'feedback-exists': 'Already in the thread.',
  'version-exists': 'The artefact is already here with its history.',
  'assessment-exists': 'Already in the goal’s history.',
  'assessment-no-goal': 'Its learning goal is not part of this import.',
  'assessment-off-scale': 'Its level is not on the project’s scale.',
  'polku-goal': 'A Polku goal or self-assessment: Polku reads these from portfolio.json, not from LEAP2A.',
  'media-not-included': 'The file is not included: a bare XML feed carries no files (import the ZIP archive instead).',
  'media-missing': 'The file “{{file}}” is not in the archive.',
  'media-unsupported': 'The file “{{file}}” is of a type Polku does not accept (images, audio, video, PDF and office documents are accepted).',
  'media-format-unreadable': 'The file “{{file}}” is a {{format}} file, which this server cannot read. The rest was imported without it.',
  'media-refused': 'The file “{{file}}” could not be processed: it is damaged or not what it claims to be. The rest was imported without it.',
  'media-cleaned': 'The file carried metadata (such as location) and was cleaned before storing.',
  'learner-details': 'The learner’s own details: used for the pupil’s name, not imported as an item.',
  'imported-before': 'Imported before from this feed.',
  'no-usable-file_one': 'Its file cannot be imported (see below).',
  'no-usable-file_other': 'None of its {{count}} files can be imported (see below).',
  'resource-as-text': 'A resource with no file or web address: imported as a text entry.',
  'leap-type-as-text': 'A LEAP2A "{{type}}" has no counterpart in Polku: imported as a text entry.',
  'unknown-type-as-text': 'Unknown LEAP2A type "{{type}}": imported as a text entry.',
  'web-link-added': 'A web link of “{{title}}”: added to its links.',
  'web-link-added_untitled': 'A web link of an untitled entry: added to its links.',
  'web-link-imported-before': 'A web link of work imported before.',
  'web-link-not-imported': 'A web link of work that is not imported.',
  'collection-not-work_one': 'A collection of 1 item that is not work of its own (a page, an ability …): reported only; the work inside is imported.',
  'collection-not-work_other':
    'A collection of {{count}} items that are not work of their own (pages, abilities …): reported only; the work inside is imported.',
  'collection-empty': 'An empty collection.',
  'project-created_one': 'A project with 1 piece of work.',
  'project-created_other': 'A project with {{count}} pieces of work.',
  'competence-assigned_one': 'Becomes the competence {{label}} of 1 piece of work.',
  'competence-assigned_other': 'Becomes the competence {{label}} of {{count}} pieces of work.',
  'subject-assigned_one': 'Becomes the subject {{label}} of 1 piece of work.',
  'subject-assigned_other': 'Becomes the subject {{label}} of {{count}} pieces of work.',
  'competence-work-imported-before': 'The competence {{label}}: its work was imported before.',
  'subject-work-imported-before': 'The subject {{label}}: its work was imported before.',
  'competence-no-work': 'Matches the competence {{label}}, but no work in the feed is linked to it.',
  'subject-no-work': 'Matches the subject {{label}}, but no work in the feed is linked to it.',
  'ability-as-text': 'An ability that matches no competence or subject here: imported as a text entry.',
  'comment-on-unimported': 'A comment on something that is not imported as work (a page or collection).',
  'comment-target-missing': 'A comment on an entry that is not in the feed.',
  'comment-work-imported-before': 'Its work was imported before, with its comments.',
  'comment-empty': 'An empty comment.',
  'feedback-imported': 'Feedback by {{author}}, marked as imported.',
  'feedback-imported-anonymous': 'Feedback by an unknown author, marked as imported.',
  'foreign-part-unknown': '“{{file}}” is not a part Polku knows how to import: left out, the rest is imported.',
  'archive-viewer': '“{{file}}” only serves to view the download in a browser: not imported.',
  'sidecar-unreadable': 'The details file “{{file}}” could not be read (too large, too deeply nested or not valid): the work is imported without its details.',
  'date-unreadable': 'The date “{{value}}” could not be read: the time of the import is used.',
  'date-missing': 'No date is given: the time of the import is used.',
  'page-unreadable': 'The page “{{file}}” could not be read (too large or not a page): its posts are not imported.',
  'page-truncated': 'The page “{{file}}” has more than {{max}} posts or comments: those beyond are not imported.',
  'learner-profile_one':
    'The learner’s own details with 1 profile field (listed with the preview): the name names a new account; no account is linked by them, and the other fields are not stored.',
  'learner-profile_other':
    'The learner’s own details with {{count}} profile fields (listed with the preview): the name names a new account; no account is linked by them, and the other fields are not stored.',
  'page-as-text_one': 'A page: becomes a text entry with its 1 text block in page order and links to the work it shows.',
  'page-as-text_other': 'A page: becomes a text entry with its {{count}} text blocks in page order and links to the work it shows.',
  'collection-as-project_one': 'A collection of 1 page: becomes a project holding the page and the work it shows.',
  'collection-as-project_other': 'A collection of {{count}} pages: becomes a project holding the pages and the work they show.',
  'attachment-of-post': 'Attached to “{{title}}”: its files become files of that entry, not an entry of their own.',
  'plan-with-tasks_one': 'A plan with 1 task: becomes one text entry with the task as a checklist.',
  'plan-with-tasks_other': 'A plan with {{count}} tasks: becomes one text entry with the tasks as a checklist.',
  'task-in-plan': 'A task of the plan “{{title}}”: a line of its checklist.',
  'showcase-exists': 'The showcase is already here.',
  'showcase-new-id': 'A showcase with this id belongs to someone else here: imported under a new id.',
  'page-as-showcase_one': 'A page: becomes a showcase with its 1 item (text blocks and the work it shows) in page order.',
  'page-as-showcase_other': 'A page: becomes a showcase with its {{count}} items (text blocks and the work it shows) in page order.',
  'collection-as-showcase_one': 'A collection of 1 page: becomes one showcase holding the page’s text blocks and work.',
  'collection-as-showcase_other': 'A collection of {{count}} pages: becomes one showcase holding each page’s text blocks and work, page by page.',
  'page-in-collection': 'A page of the collection “{{title}}”: part of its showcase.',
} as const;

/** Every code, for the API schema and the translation tests. */
export const IMPORT_REASON_CODES = [
  'project-exists',
  'project-new-id',
  'artefact-exists',
  'artefact-new-id',
  'media-exists',
  'media-no-original',
  'feedback-exists',
  'version-exists',
  'assessment-exists',
  'assessment-no-goal',
  'assessment-off-scale',
  'polku-goal',
  'media-not-included',
  'media-missing',
  'media-unsupported',
  'media-format-unreadable',
  'media-refused',
  'media-cleaned',
  'learner-details',
  'imported-before',
  'no-usable-file',
  'resource-as-text',
  'leap-type-as-text',
  'unknown-type-as-text',
  'web-link-added',
  'web-link-imported-before',
  'web-link-not-imported',
  'collection-not-work',
  'collection-empty',
  'project-created',
  'competence-assigned',
  'subject-assigned',
  'competence-work-imported-before',
  'subject-work-imported-before',
  'competence-no-work',
  'subject-no-work',
  'ability-as-text',
  'comment-on-unimported',
  'comment-target-missing',
  'comment-work-imported-before',
  'comment-empty',
  'feedback-imported',
  'feedback-imported-anonymous',
  'foreign-part-unknown',
  'archive-viewer',
  'sidecar-unreadable',
  'date-unreadable',
  'date-missing',
  'page-unreadable',
  'page-truncated',
  'learner-profile',
  'page-as-text',
  'collection-as-project',
  'attachment-of-post',
  'plan-with-tasks',
  'task-in-plan',
  'showcase-exists',
  'showcase-new-id',
  'page-as-showcase',
  'collection-as-showcase',
  'page-in-collection',
] as const satisfies readonly ImportReasonCode[];

// A code added to the interface but not to the list is a compile error here.
const everyCodeListed: Exclude<ImportReasonCode, (typeof IMPORT_REASON_CODES)[number]> extends never ? true : never = true;
void everyCodeListed;

/** What an item carries: the code and params for the client, the English sentence for the CLI and logs. */
export interface ImportReason {
  reasonCode: ImportReasonCode;
  reasonParams?: MessageParams;
  reason: string;
}

type ParamsArg<C extends ImportReasonCode> = keyof ImportReasonParams[C] extends never ? [] : [params: ImportReasonParams[C]];

/** The reason fields of an item; names from the archive are cleaned before they go into params. */
export function importReason<C extends ImportReasonCode>(code: C, ...[params]: ParamsArg<C>): ImportReason {
  const clean = cleanParams(params ?? {});
  const hasParams = Object.keys(clean).length > 0;
  return { reasonCode: code, ...(hasParams ? { reasonParams: clean } : {}), reason: formatMessage(IMPORT_REASONS_EN, code, clean) };
}
