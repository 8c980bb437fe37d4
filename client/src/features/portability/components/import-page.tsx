import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { ImportJob, ImportTargetRequest } from '../../../../../shared/api/portability.ts';
import { SelectField, SubmitButton, TextField } from '../../../components/form-fields.tsx';
import { Loading, QueryError } from '../../../components/status.tsx';
import { errorMessage } from '../../../lib/error-message.ts';
import { isApiError } from '../../../lib/http.ts';
import { usePageTitle } from '../../../lib/page-title.ts';
import type { UploadProgress } from '../../../lib/upload.ts';
import { useSession } from '../../auth/session.ts';
import { portabilityApi } from '../api.ts';
import { portabilityKeys, useApplyImportMutation, useDiscardImportMutation, useImportQuery } from '../queries.ts';
import { useQueryClient } from '@tanstack/react-query';
import { rejectionText } from '../import-messages.ts';
import { ImportPreview, ImportReport } from './import-preview.tsx';
import { GroupSelect, NEW_ACCOUNT, OWN, TargetSelect } from './import-target-fields.tsx';
import { JobProgress, ProgressBar } from './job-progress.tsx';
import '../portability.css';

/**
 * Import a portfolio: choose a file (a Polku export, or a LEAP2A ZIP/XML from Mahara and others),
 * upload it with progress, read the preview, then apply it and follow its progress to the report.
 * The import's id lives in the address (`?id=`), so a reload or a return later finds it again.
 */
export function ImportPage() {
  const { t } = useTranslation();
  usePageTitle(t('imports.title'));
  const [params, setParams] = useSearchParams();
  const importId = params.get('id');
  const job = useImportQuery(importId);
  const setImport = (id: string | null) => setParams(id ? { id } : {}, { replace: false });

  return (
    <>
      <div className="page-header">
        <h1>{t('imports.heading')}</h1>
        <p className="lead">{t('imports.intro')}</p>
      </div>
      {importId === null ? (
        <UploadForm onUploaded={(id) => setImport(id)} />
      ) : job.isPending ? (
        <Loading />
      ) : job.isError ? (
        <div className="stack">
          <QueryError error={job.error} onRetry={() => void job.refetch()} />
          <p>
            <button type="button" className="button button--secondary" onClick={() => setImport(null)}>
              {t('imports.startOver')}
            </button>
          </p>
        </div>
      ) : (
        <ImportState job={job.data} onDone={() => setImport(null)} />
      )}
    </>
  );
}

function UploadForm({ onUploaded }: { onUploaded: (id: string) => void }) {
  const { t } = useTranslation();
  const me = useSession();
  const queryClient = useQueryClient();
  const fileId = useId();
  const adminSchools = me.schools.filter((s) => me.roles.some((r) => r.role === 'admin' && r.schoolId === s.id));
  const isPupil = me.roles.some((r) => r.role === 'pupil');
  const [schoolId, setSchoolId] = useState(adminSchools[0]?.id ?? '');
  const [into, setInto] = useState(isPupil ? OWN : NEW_ACCOUNT);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [groupId, setGroupId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [sent, setSent] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const canChooseTarget = adminSchools.length > 0;

  useEffect(() => () => abort.current?.abort(), []);

  const target = (): ImportTargetRequest =>
    into === OWN
      ? { kind: 'existing', pupilId: me.user.id }
      : into === NEW_ACCOUNT
        ? {
            kind: 'new',
            schoolId,
            ...(username.trim() ? { username: username.trim() } : {}),
            ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
            ...(groupId ? { groupId } : {}),
          }
        : { kind: 'existing', pupilId: into };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!file) {
      setFileError(t('imports.fileRequired'));
      return;
    }
    setFileError(undefined);
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ loaded: 0, total: file.size });
    setSent(false);
    try {
      const job = await portabilityApi.upload(file, { target: target() }, { onProgress: setProgress, onSent: () => setSent(true), signal: controller.signal });
      queryClient.setQueryData(portabilityKeys.importJob(job.id), job);
      onUploaded(job.id);
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') setError(t('imports.uploadCancelled'));
      else if (isApiError(err, 'import_rejected'))
        setError(`${t('errors.import_rejected')} ${rejectionText(t, err.reason?.code, err.reason?.params) ?? ''}`.trim());
      else if (isApiError(err, 'payload_too_large')) setError(t('imports.tooLarge'));
      else setError(errorMessage(t, err));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };

  const uploading = progress !== null;
  const percent = progress && progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : 0;

  return (
    <form className="card stack form" onSubmit={(e) => void submit(e)} noValidate>
      <div className={fileError ? 'field field--invalid' : 'field'}>
        <label htmlFor={fileId}>{t('imports.fileLabel')}</label>
        <p className="field__hint" id={`${fileId}-hint`}>
          {t('imports.fileHint')}
        </p>
        {fileError && (
          <p className="field__error" id={`${fileId}-error`}>
            {fileError}
          </p>
        )}
        <input
          id={fileId}
          name="file"
          type="file"
          accept=".zip,.xml,application/zip,application/xml,text/xml"
          aria-describedby={[fileError ? `${fileId}-error` : '', `${fileId}-hint`].filter(Boolean).join(' ')}
          aria-invalid={fileError ? true : undefined}
          disabled={uploading}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </div>
      {canChooseTarget && adminSchools.length > 1 && (
        <SelectField
          name="school"
          label={t('imports.school')}
          value={schoolId}
          onChange={(v) => {
            setSchoolId(v);
            // Groups belong to a school: one chosen in the other school is not offered here.
            setGroupId('');
            if (into !== OWN) setInto(NEW_ACCOUNT);
          }}
          options={adminSchools.map((s) => ({ value: s.id, label: s.name }))}
        />
      )}
      {canChooseTarget && <TargetSelect schoolId={schoolId} ownOption={isPupil} value={into} onChange={setInto} disabled={uploading} />}
      {into === NEW_ACCOUNT && canChooseTarget && (
        <>
          <TextField
            name="username"
            label={t('imports.newUsername')}
            hint={t('imports.newUsernameHint')}
            value={username}
            onChange={setUsername}
            optional
            autoComplete="off"
            spellCheck={false}
          />
          <TextField
            name="displayName"
            label={t('imports.newDisplayName')}
            hint={t('imports.newDisplayNameHint')}
            value={displayName}
            onChange={setDisplayName}
            optional
            autoComplete="off"
          />
          <GroupSelect schoolId={schoolId} value={groupId} onChange={setGroupId} disabled={uploading} />
        </>
      )}
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {uploading && <ProgressBar label={t('imports.uploadProgress')} percent={percent} statusText={sent ? t('imports.checking') : t('imports.uploading')} />}
      <div className="button-row button-row--start">
        {uploading ? (
          <button type="button" className="button button--secondary" onClick={() => abort.current?.abort()}>
            {t('imports.cancelUpload')}
          </button>
        ) : (
          <SubmitButton pending={false} label={t('imports.upload')} />
        )}
      </div>
    </form>
  );
}

/** After the upload: the preview to confirm, the progress of applying it, the report, or what went wrong. */
function ImportState({ job, onDone }: { job: ImportJob; onDone: () => void }) {
  const { t } = useTranslation();
  const apply = useApplyImportMutation();
  const discard = useDiscardImportMutation();
  const failure = apply.error ?? discard.error;
  // Only a refusal says more than "failed, nothing saved" (other failures are the server's, in English).
  const failedBecause = job.error ? rejectionText(t, job.error.code, job.error.params) : null;

  const discardAndLeave = () => discard.mutate(job.id, { onSuccess: onDone });

  return (
    <div className="stack">
      <p className="muted">{t('imports.fileName', { file: job.fileName })}</p>
      {failure && (
        <p className="notice notice--error" role="alert">
          {errorMessage(t, failure)}
        </p>
      )}
      {job.status === 'ready' && job.preview && (
        <>
          <ImportPreview preview={job.preview} />
          <div className="button-row button-row--start">
            <button
              type="button"
              className="button button--primary"
              onClick={() => apply.mutate(job.id)}
              disabled={apply.isPending || job.preview.counts.create === 0}
            >
              {t('imports.apply', { count: job.preview.counts.create })}
            </button>
            <button type="button" className="button button--secondary" onClick={discardAndLeave} disabled={discard.isPending}>
              {t('imports.discard')}
            </button>
          </div>
        </>
      )}
      {(job.status === 'queued' || job.status === 'running') && (
        <JobProgress kind="import" status={job.status} progress={job.progress} label={t('imports.applyProgress')} />
      )}
      {job.status === 'done' && job.report && (
        <>
          <ImportReport report={job.report} />
          <p>
            <button type="button" className="button button--secondary" onClick={onDone}>
              {t('imports.another')}
            </button>
          </p>
        </>
      )}
      {job.status === 'failed' && (
        <>
          <div className="notice notice--error" role="alert">
            <p>{t('imports.failed')}</p>
            {failedBecause && <p>{failedBecause}</p>}
          </div>
          <p>
            <button type="button" className="button button--secondary" onClick={discardAndLeave} disabled={discard.isPending}>
              {t('imports.startOver')}
            </button>
          </p>
        </>
      )}
    </div>
  );
}
