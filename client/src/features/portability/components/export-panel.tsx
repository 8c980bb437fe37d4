import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportJob } from '../../../../../shared/api/portability.ts';
import { Loading, QueryError } from '../../../components/status.tsx';
import { currentLocale } from '../../../i18n/i18n.ts';
import { errorMessage } from '../../../lib/error-message.ts';
import { useFormat } from '../../../lib/format.ts';
import { useExportsQuery, useStartExportMutation } from '../queries.ts';
import { JobProgress } from './job-progress.tsx';

interface ExportPanelProps {
  pupilId: string;
  /** A guardian's export holds only what was shared with them; the text says so. */
  shared?: boolean;
}

/**
 * "Export portfolio" on a portfolio page: starts the background job, shows its live progress
 * (socket events patch the list), a download link when ready, and earlier exports until they expire.
 */
export function ExportPanel({ pupilId, shared = false }: ExportPanelProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const exports = useExportsQuery(pupilId);
  const start = useStartExportMutation(pupilId);
  const jobs = exports.data?.exports ?? [];
  const running = jobs.find((j) => j.status === 'queued' || j.status === 'running');
  const [latest, ...earlier] = jobs;
  const current = running ?? (latest && latest.status !== 'done' && latest.status !== 'failed' ? latest : undefined);

  return (
    <section aria-labelledby={headingId} className="card stack export-panel">
      <h2 id={headingId}>{t('portability.exportHeading')}</h2>
      <p>{shared ? t('portability.exportIntroShared') : t('portability.exportIntro')}</p>
      <div className="button-row button-row--start">
        <button
          type="button"
          className="button button--primary"
          onClick={() => start.mutate(currentLocale())}
          disabled={start.isPending || running !== undefined}
        >
          {start.isPending ? t('portability.exportStarting') : t('portability.exportAction')}
        </button>
      </div>
      {start.isError && (
        <p className="notice notice--error" role="alert">
          {errorMessage(t, start.error)}
        </p>
      )}
      {current && <JobProgress kind="export" status={current.status} progress={current.progress} label={t('portability.exportProgress')} />}
      {!current && latest && <LatestExport job={latest} />}
      {exports.isPending && <Loading />}
      {exports.isError && <QueryError error={exports.error} onRetry={() => void exports.refetch()} />}
      {exports.isSuccess && (
        <div className="stack">
          <h3>{t('portability.earlierHeading')}</h3>
          {earlier.filter((j) => j.status === 'done').length === 0 ? (
            <p className="muted">{t('portability.noEarlier')}</p>
          ) : (
            <ul className="plain-list export-list">
              {earlier
                .filter((j) => j.status === 'done')
                .map((job) => (
                  <li key={job.id}>
                    <ExportLink job={job} />
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

/** The most recent export once it has ended: its download, or why it failed. */
function LatestExport({ job }: { job: ExportJob }) {
  const { t } = useTranslation();
  if (job.status === 'failed') {
    return (
      <p className="notice notice--error" role="status">
        {t('portability.exportFailed')}
      </p>
    );
  }
  if (job.outdated) {
    return (
      <p className="notice notice--warning" role="status">
        {t('portability.exportOutdated')}
      </p>
    );
  }
  return (
    <div className="notice notice--success stack" role="status">
      <p>{t('portability.exportReady')}</p>
      <ExportLink job={job} />
    </div>
  );
}

function ExportLink({ job }: { job: ExportJob }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (job.outdated) {
    return (
      <p className="export-link">
        {job.fileName} <span className="muted">{t('portability.exportOutdated')}</span>
      </p>
    );
  }
  if (!job.downloadUrl) return null;
  return (
    <p className="export-link">
      <a href={job.downloadUrl} download={job.fileName}>
        {t('portability.download', { file: job.fileName })}
      </a>{' '}
      <span className="muted">
        {job.size !== null ? `${format.fileSize(job.size)} · ` : ''}
        {t('portability.expires', { date: format.date(job.expiresAt) })}
      </span>
    </p>
  );
}
