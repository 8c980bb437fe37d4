import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';

/** A recorded reflection waiting to be saved: heard back, or removed. */
export function VoicePreview({ audio, onRemove }: { audio: File; onRemove: () => void }) {
  const { t } = useTranslation();
  const url = useMemo(() => URL.createObjectURL(audio), [audio]);
  // Released when the recording is replaced or removed.
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <div className="voice-attachment">
      <figure>
        <figcaption>{t('feedbackMedia.recordingReady')}</figcaption>
        <audio controls src={url} />
      </figure>
      <button type="button" className="button button--small button--danger-outline" onClick={onRemove}>
        {t('feedbackMedia.removeRecording')}
      </button>
    </div>
  );
}
