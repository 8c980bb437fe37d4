import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database, ImportOrigin } from '../../db/schema.ts';

/** A template's place for one item, in order (issue 12 §3). */
export interface ShowcaseTemplateSlot {
  prompt: string;
  goalId: string | null;
}

export type ShowcaseVisibility = 'private' | 'guardians' | 'project';

/**
 * Migration 0038 (issue 12 §3). Declared beside the showcase module; the secret links and the
 * export/import read them through `showcasesDb`.
 */
export type ShowcaseTables = {
  showcaseTemplates: {
    id: Generated<string>;
    projectId: string;
    createdBy: string | null;
    title: string;
    intro: Generated<string>;
    slots: ColumnType<ShowcaseTemplateSlot[], string | undefined, string>;
    createdAt: ColumnType<Date, never, never>;
    updatedAt: ColumnType<Date, Date | undefined, Date>;
  };
  showcases: {
    id: Generated<string>;
    ownerId: string;
    title: string;
    introHtml: Generated<string>;
    visibility: ColumnType<ShowcaseVisibility, ShowcaseVisibility | undefined, ShowcaseVisibility>;
    projectId: string | null;
    templateId: string | null;
    origin: ColumnType<ImportOrigin | null, string | null | undefined, string | null>;
    createdAt: ColumnType<Date, Date | undefined, never>;
    updatedAt: ColumnType<Date, Date | undefined, Date>;
  };
  showcaseItems: {
    id: Generated<string>;
    showcaseId: string;
    position: number;
    artefactId: string | null;
    heading: Generated<string>;
    bodyHtml: Generated<string>;
    templateSlot: number | null;
  };
};
export type ShowcasesDb = Kysely<Database & ShowcaseTables>;
export const showcasesDb = (db: Db): ShowcasesDb => db.withTables<ShowcaseTables>();
