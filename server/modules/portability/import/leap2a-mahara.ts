import { type XmlElement, attrAnyNs, childElements, innerMarkup, textOf } from './safe-xml.ts';

// Mahara's own extension elements of a LEAP2A entry, read as Mahara's importer reads them
// (MaharaProject/mahara htdocs/import/leap/lib.php; the exporter's templates are in
// htdocs/theme/raw/plugintype/export/leap/templates/).

/**
 * Mahara's extension namespace in every form its exporters wrote. Up to 22.04 the header template
 * declared `http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#`; since 22.10
 * it is `https://wiki.mahara.org/wiki/Developer_Area/Import//Export/LEAP_Extensions` (the importer
 * keeps both as NS_MAHARA_2022 and NS_MAHARA and picks the one the document declares).
 */
export function isMaharaNs(uri: string): boolean {
  return /^https?:\/\/wiki\.mahara\.org\/(wiki\/)?Developer_Area\/Import(%2F%2F|\/\/)Export\/LEAP_Extensions[#/]?$/i.test(uri);
}

export interface MaharaBlock {
  blocktype: string;
  title: string;
  /** A text block's HTML (config `text`), as the page had it. */
  html: string;
  /** Entries the block shows (config `artefactid` / `artefactids`, rewritten to portfolio:artefactN on export). */
  refs: string[];
}

const MAX_PROFILE_FIELDS = 50;

export interface PersonField {
  /** LEAP2A's persondata field (legal_given_name, legal_family_name, email, other …). */
  field: string;
  label: string;
  value: string;
}

/**
 * The blocks of a Mahara page (`mahara:view`) in reading order. Old layouts write rows of columns of
 * blockinstances (htdocs/lib/view.php export_config: rows → columns → blocks); the grid layout of
 * 19.10+ writes blockinstances with mahara:positionx/positiony (mahara:newlayout="1"): read top to
 * bottom, then left to right. null when the entry has no `mahara:view`.
 */
export function readMaharaView(entry: XmlElement): MaharaBlock[] | null {
  const view = childElements(entry).find((c) => isMaharaNs(c.uri) && c.local === 'view');
  if (!view) return null;
  const mine = (el: XmlElement, local: string) => childElements(el).filter((c) => isMaharaNs(c.uri) && c.local === local);
  const rows = mine(view, 'row');
  if (rows.length > 0) {
    return rows.flatMap((row) => mine(row, 'column').flatMap((column) => mine(column, 'blockinstance').map(readBlock)));
  }
  const num = (el: XmlElement, name: string) => Number(attrAnyNs(el, name)) || 0;
  return mine(view, 'blockinstance')
    .map((el, i) => ({ el, i, y: num(el, 'positiony'), x: num(el, 'positionx') }))
    .sort((a, b) => a.y - b.y || a.x - b.x || a.i - b.i)
    .map(({ el }) => readBlock(el));
}

function readBlock(el: XmlElement): MaharaBlock {
  const config = new Map<string, string>();
  for (const c of childElements(el)) if (isMaharaNs(c.uri)) config.set(c.local, textOf(c));
  const text = configValue(config.get('text'));
  const refs = [...strings(configValue(config.get('artefactid'))), ...strings(configValue(config.get('artefactids')))].filter((r) =>
    r.startsWith('portfolio:'),
  );
  return {
    blocktype: attrAnyNs(el, 'blocktype') ?? '',
    title: attrAnyNs(el, 'blocktitle') ?? '',
    html: typeof text === 'string' ? text : '',
    refs,
  };
}

/**
 * Block config values are `json_encode(array($value))` (htdocs/blocktype/lib.php
 * export_blockinstance_config_leap): the value is the array's only item. Anything else is ignored.
 */
function configValue(raw: string | undefined): unknown {
  if (!raw?.trim()) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Strings of a config value, two array levels deep as Mahara writes them (deeper nesting is not Mahara's, and not walked). */
function strings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && depth < 3) return value.flatMap((v) => strings(v, depth + 1));
  return [];
}

/**
 * The learner's profile (`leap2:persondata`, htdocs/theme/raw/plugintype/artefact/internal/export/leap/
 * templates/entry.tpl): leap2:field, or "other" with mahara:field for Mahara's own fields; the student
 * id is written as field "other", label "Student ID" (htdocs/artefact/internal/export/leap/lib.php).
 */
export function readPersonData(entry: XmlElement): PersonField[] {
  return (
    childElements(entry)
      .filter((c) => c.local === 'persondata' && !isMaharaNs(c.uri))
      // A real profile has a dozen fields; the preview lists no more than this many.
      .slice(0, MAX_PROFILE_FIELDS)
      .flatMap((c) => {
        const leapField = c.attrs.find((a) => a.local === 'field' && !isMaharaNs(a.uri))?.value ?? '';
        const maharaField = c.attrs.find((a) => a.local === 'field' && isMaharaNs(a.uri))?.value ?? '';
        const label = c.attrs.find((a) => a.local === 'label' && !isMaharaNs(a.uri))?.value ?? '';
        const value = textOf(c).trim().slice(0, 500);
        if (!value) return [];
        const field = leapField === 'other' && maharaField ? maharaField : leapField;
        return [{ field: /^student\s*id$/i.test(label) ? 'studentid' : field, label: label.slice(0, 200), value }];
      })
  );
}

/** A Mahara task's state (`leap2:status leap2:stage`, completed or planned) and target date (`leap2:date leap2:point="target"`). */
export function readTask(entry: XmlElement): { done: boolean | null; due: string | null } {
  const status = childElements(entry).find((c) => c.local === 'status' && !isMaharaNs(c.uri));
  const stage = status ? (attrAnyNs(status, 'stage') ?? '').toLowerCase() : '';
  const target = childElements(entry).find((c) => c.local === 'date' && (attrAnyNs(c, 'point') ?? '') === 'target');
  const due = target ? textOf(target).trim() : '';
  return { done: stage ? stage === 'completed' : null, due: /^\d{4}-\d{2}-\d{2}/.test(due) ? due.slice(0, 10) : null };
}

/** A summary as HTML (Mahara writes a page's description there; its content is the rendered page). */
export function summaryHtml(entry: XmlElement, textToHtml: (t: string) => string): string {
  const summary = childElements(entry).find((c) => c.local === 'summary');
  if (!summary) return '';
  const type = (summary.attrs.find((a) => a.local === 'type' && a.uri === '')?.value ?? 'text').toLowerCase();
  if (type === 'xhtml') {
    const div = childElements(summary).find((c) => c.local === 'div');
    return innerMarkup(div ?? summary).trim();
  }
  return type === 'html' ? textOf(summary).trim() : textToHtml(textOf(summary));
}
