import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { RosterCounts, RosterImport, RosterProblem } from '../../../../../shared/api/rosters.ts';
import { useConfirm } from '../../../components/confirm-dialog.tsx';
import { FormError } from '../../../components/form-fields.tsx';
import { LiveNotice, useNotice } from '../../../components/live-notice.tsx';
import { QueryError } from '../../../components/status.tsx';
import { errorMessage, errorText } from '../../../lib/error-message.ts';
import { ApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import { ProgressBar } from '../../portability/components/job-progress.tsx';
import { useSchoolContext } from '../../admin/components/school-layout.tsx';
import { rostersApi } from '../api.ts';
import { rosterEvent, useApplyRosterMutation, useDiscardRosterMutation, useRosterImportQuery } from '../queries.ts';
import '../rosters.css';

/** A rejection or a row's reason in the reader's language (the server's English sentence when the code is unknown). */
export function reasonText(t: TFunction, code: string, params: Readonly<Record<string, string | number>>, fallback: string): string {
  return t(`rosters.reason.${code}` as 'rosters.reason.missing_name', { ...params, defaultValue: fallback });
}

function uploadError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError && error.code === 'import_rejected' && error.reason)
    return reasonText(t, error.reason.code, error.reason.params, error.message);
  return errorMessage(t, error);
}

/** Issue 11 §2: upload a roster → read the diff → apply with live progress → the report. */
export function RosterImportPage() {
  const { t } = useTranslation();
  const { school } = useSchoolContext();
  usePageTitle(`${t('rosters.heading')} – ${school.name}`);
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [uploading, setUploading] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const job = useRosterImportQuery(jobId);
  const apply = useApplyRosterMutation();
  const discard = useDiscardRosterMutation();
  const confirm = useConfirm();
  const notice = useNotice();
  const errorRef = useRef<HTMLParagraphElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const onUpload = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setError(t('rosters.chooseFile'));
      errorRef.current?.focus();
      return;
    }
    setError(null);
    setUploading(0);
    try {
      const created = await rostersApi.upload(school.id, file, { onProgress: (p) => setUploading(p.total ? Math.round((100 * p.loaded) / p.total) : 0) });
      rosterEvent(queryClient, created);
      setJobId(created.id);
    } catch (err) {
      setError(uploadError(t, err));
      requestAnimationFrame(() => errorRef.current?.focus());
    } finally {
      setUploading(null);
    }
  };

  const onApply = async (current: RosterImport) => {
    const c = current.preview.counts;
    const message = c.users.deactivate > 0 ? t('rosters.applyConfirmDeactivate', { count: c.users.deactivate }) : t('rosters.applyConfirm');
    if (!(await confirm(message, t('rosters.apply')))) return;
    try {
      await apply.mutateAsync(current.id);
    } catch (err) {
      notice.error(errorText(err));
    }
  };

  const onDiscard = async (current: RosterImport) => {
    try {
      await discard.mutateAsync(current.id);
      setJobId(null);
      setFile(null);
      notice.success(t('rosters.discarded'));
      headingRef.current?.focus();
    } catch (err) {
      notice.error(errorText(err));
    }
  };

  const current = job.data;
  return (
    <section aria-labelledby="rosters-heading" className="stack rosters">
      <h2 id="rosters-heading" ref={headingRef} tabIndex={-1}>
        {t('rosters.heading')}
      </h2>
      <p>{t('rosters.intro')}</p>
      <LiveNotice notice={notice.notice} />
      {!current && (
        <form onSubmit={(e) => void onUpload(e)} className="stack" noValidate>
          <div className="field">
            <label htmlFor="roster-file">{t('rosters.file')}</label>
            <p className="field__hint" id="roster-file-hint">
              {t('rosters.fileHint')}
            </p>
            <input
              id="roster-file"
              type="file"
              accept=".zip,application/zip"
              aria-describedby="roster-file-hint"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </div>
          <FormError message={error} ref={errorRef} />
          {uploading !== null && <ProgressBar label={t('rosters.uploading')} percent={uploading} statusText={t('rosters.reading')} />}
          <div>
            <button type="submit" className="button" disabled={uploading !== null}>
              {t('rosters.preview')}
            </button>
          </div>
        </form>
      )}
      {job.isError && <QueryError error={job.error} onRetry={() => void job.refetch()} />}
      {current && (
        <RosterJob
          job={current}
          applying={apply.isPending}
          onApply={() => void onApply(current)}
          onDiscard={() => void onDiscard(current)}
          onAnother={() => {
            setJobId(null);
            setFile(null);
          }}
        />
      )}
    </section>
  );
}

function RosterJob({
  job,
  applying,
  onApply,
  onDiscard,
  onAnother,
}: {
  job: RosterImport;
  applying: boolean;
  onApply: () => void;
  onDiscard: () => void;
  onAnother: () => void;
}) {
  const { t } = useTranslation();
  const p = job.preview;
  return (
    <div className="stack">
      <p>
        {t('rosters.summary', {
          format: p.format === 'oneroster' ? 'OneRoster' : 'Microsoft SDS',
          school: p.rosterSchool.name,
          file: job.fileName,
        })}
      </p>
      {job.status === 'running' && (
        <ProgressBar
          label={t('rosters.applying')}
          percent={job.progress && job.progress.total > 0 ? Math.round((100 * job.progress.done) / job.progress.total) : 0}
          statusText={t(`rosters.phase.${job.progress?.phase ?? 'queued'}` as 'rosters.phase.queued', { defaultValue: t('rosters.phase.queued') })}
        />
      )}
      {job.status === 'done' && job.report && (
        <div role="status" className="stack">
          <h3>{t('rosters.reportHeading')}</h3>
          <CountsTable counts={job.report} caption={t('rosters.reportCaption')} />
          <div>
            <button type="button" className="button button--secondary" onClick={onAnother}>
              {t('rosters.another')}
            </button>
          </div>
        </div>
      )}
      {job.status === 'failed' && (
        <p role="alert" className="form-error">
          {job.error?.code === 'interrupted' ? t('rosters.interrupted') : t('rosters.failed')}
        </p>
      )}
      {job.status === 'ready' && (
        <>
          <h3>{t('rosters.previewHeading')}</h3>
          <CountsTable counts={p.counts} caption={t('rosters.previewCaption')} />
          <div className="rosters__actions">
            <button type="button" className="button" onClick={onApply} disabled={applying}>
              {t('rosters.apply')}
            </button>
            <button type="button" className="button button--secondary" onClick={onDiscard}>
              {t('rosters.discard')}
            </button>
          </div>
        </>
      )}
      {job.status !== 'done' && <DiffLists job={job} />}
    </div>
  );
}

function CountsTable({ counts, caption }: { counts: RosterCounts; caption: string }) {
  const { t } = useTranslation();
  const rows: Array<[string, number, number, number | null]> = [
    [t('rosters.users'), counts.users.create, counts.users.update, counts.users.deactivate],
    [t('rosters.groups'), counts.groups.create, counts.groups.update, null],
    [t('rosters.memberships'), counts.memberships.create, 0, counts.memberships.remove],
    [t('rosters.guardianLinks'), counts.guardianLinks.create, 0, counts.guardianLinks.remove],
  ];
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rosters.what')}</th>
            <th scope="col">{t('rosters.create')}</th>
            <th scope="col">{t('rosters.update')}</th>
            <th scope="col">{t('rosters.deactivateOrRemove')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, c, u, d]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{c}</td>
              <td>{u}</td>
              <td>{d ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>{t('rosters.unchangedUsers', { count: counts.users.unchanged })}</p>
      {counts.unusable > 0 && <p>{t('rosters.unusableCount', { count: counts.unusable })}</p>}
      {counts.otherSchools > 0 && <p>{t('rosters.otherSchools', { count: counts.otherSchools })}</p>}
    </div>
  );
}

function DiffLists({ job }: { job: RosterImport }) {
  const { t } = useTranslation();
  const p = job.preview;
  return (
    <>
      {p.unusable.length > 0 && <Unusable rows={p.unusable} />}
      {p.users.length > 0 && (
        <details>
          <summary>{t('rosters.userList', { count: p.users.length })}</summary>
          <div className="table-wrap">
            <table>
              <caption>{t('rosters.users')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('rosters.name')}</th>
                  <th scope="col">{t('rosters.role')}</th>
                  <th scope="col">{t('rosters.action')}</th>
                  <th scope="col">{t('rosters.changes')}</th>
                </tr>
              </thead>
              <tbody>
                {p.users.map((u) => (
                  <tr key={`${u.action}-${u.sourcedId}`}>
                    <th scope="row">{u.displayName}</th>
                    <td>{u.role ? t(`roles.${u.role}` as 'roles.pupil') : '–'}</td>
                    <td>{t(`rosters.actions.${u.action}` as 'rosters.actions.create')}</td>
                    <td>{u.changes.map((c) => t(`rosters.change.${c}` as 'rosters.change.name', { defaultValue: c })).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
      {p.groups.length > 0 && (
        <details>
          <summary>{t('rosters.groupList', { count: p.groups.length })}</summary>
          <ul>
            {p.groups.map((g) => (
              <li key={`${g.action}-${g.sourcedId}`}>
                {t(`rosters.actions.${g.action}` as 'rosters.actions.create')}: {g.name}
                {g.schoolYear ? ` (${g.schoolYear})` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
      {p.memberships.length + p.guardianLinks.length > 0 && (
        <details>
          <summary>{t('rosters.linkList', { count: p.memberships.length + p.guardianLinks.length })}</summary>
          <ul>
            {p.memberships.map((m, i) => (
              <li key={`m${i}`}>{t(`rosters.membership.${m.action}` as 'rosters.membership.create', { user: m.user, group: m.group })}</li>
            ))}
            {p.guardianLinks.map((l, i) => (
              <li key={`l${i}`}>{t(`rosters.link.${l.action}` as 'rosters.link.create', { guardian: l.guardian, pupil: l.pupil })}</li>
            ))}
          </ul>
        </details>
      )}
      {p.users.length >= p.listLimit && <p>{t('rosters.listLimit', { count: p.listLimit })}</p>}
    </>
  );
}

function Unusable({ rows }: { rows: RosterProblem[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table>
        <caption>{t('rosters.unusableHeading')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rosters.where')}</th>
            <th scope="col">{t('rosters.reasonHeading')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <th scope="row">{t('rosters.fileLine', { file: r.file, line: r.line })}</th>
              <td>{reasonText(t, r.code, r.params, r.message)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
