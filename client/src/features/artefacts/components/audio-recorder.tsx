import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

const supported = () => typeof window !== 'undefined' && 'MediaRecorder' in window && Boolean(navigator.mediaDevices?.getUserMedia);

/** A container the browser can record and the server can sniff: WebM/Opus in Chromium and Firefox, MP4 in Safari. */
function pickMime(): string | undefined {
  return ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus'].find((m) => MediaRecorder.isTypeSupported(m));
}

/**
 * Records a spoken reflection with the microphone and hands it over as a file, which is then
 * uploaded like any other. Nothing leaves the device before the form is saved.
 */
export function AudioRecorder({ onRecorded }: { onRecorded: (file: File) => void }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'starting' | 'recording'>('idle');
  const [seconds, setSeconds] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const recorderRef = useRef<MediaRecorder | null>(null);
  const stopButton = useRef<HTMLButtonElement>(null);
  const startButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (state !== 'recording') return;
    stopButton.current?.focus();
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, [state]);

  // Leaving the page mid-recording releases the microphone.
  useEffect(() => () => recorderRef.current?.stream.getTracks().forEach((track) => track.stop()), []);

  if (!supported()) return null;

  const start = async () => {
    setProblem(null);
    setState('starting');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const mime = pickMime();
      const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
      const chunks: Blob[] = [];
      recorder.ondataavailable = (event) => {
        if (event.data.size > 0) chunks.push(event.data);
      };
      recorder.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        const type = recorder.mimeType.split(';')[0] || 'audio/webm';
        const extension = type.includes('mp4') ? 'm4a' : type.includes('ogg') ? 'ogg' : 'webm';
        const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
        onRecorded(new File(chunks, `${t('recorder.fileName')}-${stamp}.${extension}`, { type }));
        recorderRef.current = null;
        setState('idle');
        setSeconds(0);
        startButton.current?.focus();
      };
      recorderRef.current = recorder;
      recorder.start();
      setState('recording');
    } catch {
      setState('idle');
      setProblem(t('recorder.noMicrophone'));
    }
  };

  const minutes = Math.floor(seconds / 60);
  const clock = `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
  return (
    <div className="recorder">
      {state === 'recording' ? (
        <>
          <span className="recorder__live" role="status">
            <span className="recorder__dot" aria-hidden="true" /> {t('recorder.recording', { time: clock })}
          </span>
          <button ref={stopButton} type="button" className="button button--danger" onClick={() => recorderRef.current?.stop()}>
            {t('recorder.stop')}
          </button>
        </>
      ) : (
        <button ref={startButton} type="button" className="button button--secondary" onClick={() => void start()} disabled={state === 'starting'}>
          {t('recorder.start')}
        </button>
      )}
      {problem && (
        <p className="field__error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
