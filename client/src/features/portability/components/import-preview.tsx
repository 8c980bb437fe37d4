import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportItemView, ImportPreviewView, ImportReportView } from '../../../../../shared/api/portability.ts';
import { EmptyState } from '../../../components/status.tsx';
import { reasonText, titleText } from '../import-messages.ts';

const FORMAT_KEYS = {
  polku: 'imports.formatPolku',
  leap2a: 'imports.formatLeap2a',
  takeout: 'imports.formatTakeout',
  seesaw: 'imports.formatSeesaw',
} as const satisfies Record<ImportPreviewView['format'], string>;

// Ten thousand rows would make the page slow to use; the counts above still cover every item.
const MAX_ROWS = 500;

/** What the import will create, skip, or cannot map, and why: counts, then one row per item. */
export function ImportPreview({ preview }: { preview: ImportPreviewView }) {
  const { t } = useTranslation();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="card stack">
      <h2 id={headingId}>{t('imports.previewHeading')}</h2>
      <p>
        {t(FORMAT_KEYS[preview.format], {
          name: preview.pupilNameCode ? t(`imports.itemTitle.${preview.pupilNameCode}`) : preview.pupilName,
          version: preview.sourceVersion,
        })}
      </p>
      <Counts counts={preview.counts} />
      <ItemTable items={preview.items} caption={t('imports.itemsCaption')} />
    </section>
  );
}

export function ImportReport({ report }: { report: ImportReportView }) {
  const { t } = useTranslation();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="card stack">
      <h2 id={headingId}>{t('imports.reportHeading')}</h2>
      <p className="notice notice--success" role="status">
        {t('imports.reportDone')}
      </p>
      <dl className="import-counts">
        <div>
          <dt>{t('imports.created.projects')}</dt>
          <dd>{report.created.projects}</dd>
        </div>
        <div>
          <dt>{t('imports.created.artefacts')}</dt>
          <dd>{report.created.artefacts}</dd>
        </div>
        <div>
          <dt>{t('imports.created.media')}</dt>
          <dd>{report.created.media}</dd>
        </div>
        <div>
          <dt>{t('imports.created.feedback')}</dt>
          <dd>{report.created.feedback}</dd>
        </div>
      </dl>
      <Counts counts={report.counts} />
      <ItemTable items={report.items} caption={t('imports.reportCaption')} />
    </section>
  );
}

function Counts({ counts }: { counts: ImportPreviewView['counts'] }) {
  const { t } = useTranslation();
  return (
    <dl className="import-counts">
      <div>
        <dt>{t('imports.action.create')}</dt>
        <dd>{counts.create}</dd>
      </div>
      <div>
        <dt>{t('imports.action.skip')}</dt>
        <dd>{counts.skip}</dd>
      </div>
      <div>
        <dt>{t('imports.action.unmapped')}</dt>
        <dd>{counts.unmapped}</dd>
      </div>
    </dl>
  );
}

function ItemTable({ items, caption }: { items: readonly ImportItemView[]; caption: string }) {
  const { t } = useTranslation();
  if (items.length === 0) {
    return (
      <EmptyState heading={t('imports.emptyHeading')} headingLevel={3}>
        <p>{t('imports.emptyText')}</p>
      </EmptyState>
    );
  }
  const shown = items.slice(0, MAX_ROWS);
  return (
    <>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
        <table className="import-items">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('imports.column.type')}</th>
              <th scope="col">{t('imports.column.title')}</th>
              <th scope="col">{t('imports.column.action')}</th>
              <th scope="col">{t('imports.column.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((item, index) => (
              <tr key={`${item.type}:${item.sourceId}:${index}`}>
                <td>{t(`imports.type.${item.type}`)}</td>
                <th scope="row">{titleText(t, item)}</th>
                <td>{t(`imports.action.${item.action}`)}</td>
                <td>{reasonText(t, item)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {items.length > shown.length && <p className="muted">{t('imports.moreRows', { shown: shown.length, total: items.length })}</p>}
    </>
  );
}
