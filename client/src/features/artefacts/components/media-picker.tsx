import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACCEPT_ATTRIBUTE, acceptedNames } from '../../../../../shared/media-types.ts';
import { useFormat } from '../../../lib/format.ts';
import { AudioRecorder } from './audio-recorder.tsx';

export interface PendingFile {
  key: string;
  file: File;
  /** A local preview of images and recordings, revoked when the file goes. */
  previewUrl: string | null;
}

export type UploadPhase = 'idle' | 'uploading' | 'processing';

let seq = 0;
const revoke = (f: PendingFile) => {
  if (f.previewUrl) URL.revokeObjectURL(f.previewUrl);
};
export function toPending(file: File): PendingFile {
  const previewable = file.type.startsWith('image/') || file.type.startsWith('audio/');
  return { key: `f${++seq}`, file, previewUrl: previewable ? URL.createObjectURL(file) : null };
}

/** Everything a pupil can add: photos, recordings, videos, documents (shared with the server). The server decides from the content. */
const ACCEPT = `image/*,audio/*,video/*,${ACCEPT_ATTRIBUTE}`;

interface MediaPickerProps {
  files: readonly PendingFile[];
  onChange: (files: PendingFile[]) => void;
  /** Per file, 0…1, while an upload runs. */
  progress: readonly number[] | null;
  phase: UploadPhase;
  error?: string | undefined;
}

export function MediaPicker({ files, onChange, progress, phase, error }: MediaPickerProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = useId();
  const busy = phase !== 'idle';
  // Phones and tablets get a camera button; on a desktop `capture` would just open the file dialog.
  const [coarse] = useState(() => typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches);

  // Object URLs live as long as the list shows them: freed on removal and when the form goes.
  const shown = useRef<readonly PendingFile[]>(files);
  useEffect(() => {
    shown.current = files;
  }, [files]);
  useEffect(() => {
    const list = shown;
    return () => list.current.forEach(revoke);
  }, []);

  const add = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    onChange([...files, ...Array.from(list, toPending)]);
  };
  const remove = (key: string) => {
    files.filter((f) => f.key === key).forEach(revoke);
    onChange(files.filter((f) => f.key !== key));
  };

  const errorId = error ? `${id}-error` : undefined;
  return (
    <fieldset className="media-picker" aria-describedby={errorId}>
      <legend>{t('media.legend')}</legend>
      <p className="field__hint">{t('media.hint')}</p>
      <p className="field__hint">
        {t('media.accepted', {
          images: acceptedNames('image'),
          audio: acceptedNames('audio'),
          video: acceptedNames('video'),
          documents: acceptedNames('document'),
        })}
      </p>
      {error && (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      )}
      <div className="media-picker__buttons">
        <label className="button button--secondary file-button">
          {t('media.chooseFiles')}
          <input
            className="visually-hidden"
            type="file"
            name="files"
            multiple
            accept={ACCEPT}
            disabled={busy}
            onChange={(e) => {
              add(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        {coarse && (
          <label className="button button--secondary file-button">
            {t('media.takePhoto')}
            <input
              className="visually-hidden"
              type="file"
              name="camera"
              accept="image/*"
              capture="environment"
              disabled={busy}
              onChange={(e) => {
                add(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
        )}
        {!busy && <AudioRecorder onRecorded={(file) => onChange([...files, toPending(file)])} />}
      </div>
      {files.length > 0 && (
        <ul className="pending-files" aria-label={t('media.chosen')}>
          {files.map((pending, index) => {
            const fraction = progress?.[index];
            const progressId = `${id}-progress-${pending.key}`;
            return (
              <li key={pending.key} className="pending-file">
                {pending.previewUrl && pending.file.type.startsWith('image/') && <img className="pending-file__preview" src={pending.previewUrl} alt="" />}
                <div className="pending-file__info">
                  <span className="pending-file__name">{pending.file.name}</span>
                  <span className="muted"> ({format.fileSize(pending.file.size)})</span>
                  {pending.previewUrl && pending.file.type.startsWith('audio/') && (
                    <audio controls src={pending.previewUrl} className="pending-file__audio">
                      {t('media.noAudioSupport')}
                    </audio>
                  )}
                  {busy && fraction !== undefined && (
                    <div className="upload-progress">
                      <label htmlFor={progressId} className="visually-hidden">
                        {t('media.progressLabel', { name: pending.file.name })}
                      </label>
                      <progress id={progressId} max={100} value={Math.round(fraction * 100)} />
                      <span className="upload-progress__text" aria-hidden="true">
                        {fraction < 1 ? format.percent(fraction) : phase === 'processing' ? t('media.processing') : t('media.sent')}
                      </span>
                    </div>
                  )}
                </div>
                {!busy && (
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    aria-label={t('media.removeLabel', { name: pending.file.name })}
                    onClick={() => remove(pending.key)}
                  >
                    {t('media.remove')}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {phase !== 'idle' && (
        <p className="visually-hidden" role="status">
          {phase === 'processing' ? t('media.processingAll') : t('media.uploading')}
        </p>
      )}
    </fieldset>
  );
}
