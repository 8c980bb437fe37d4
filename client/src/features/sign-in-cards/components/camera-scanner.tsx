import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The device camera, read for a QR code a few times a second (jsQR, loaded with this chunk only when
 * someone chooses the camera). Calls `onCode` once with the first code found; the camera stops when
 * this unmounts.
 */
export default function CameraScanner({ onCode }: { onCode: (text: string) => void }) {
  const { t } = useTranslation();
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<'noCamera' | 'denied' | null>(null);
  const done = useRef(false);
  const supported = typeof navigator.mediaDevices?.getUserMedia === 'function';

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const scan = () => {
      const el = video.current;
      if (stopped || done.current || !el || !context) return;
      if (el.readyState >= el.HAVE_CURRENT_DATA && el.videoWidth > 0) {
        // Scaled down: a card fills much of the picture, and smaller frames decode faster on a school tablet.
        const scale = Math.min(1, 640 / el.videoWidth);
        canvas.width = Math.round(el.videoWidth * scale);
        canvas.height = Math.round(el.videoHeight * scale);
        context.drawImage(el, 0, 0, canvas.width, canvas.height);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
        if (found?.data) {
          done.current = true;
          onCode(found.data);
          return;
        }
      }
      timer = window.setTimeout(scan, 200);
    };
    if (!supported) return;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then((s) => {
        stream = s;
        if (stopped) return s.getTracks().forEach((track) => track.stop());
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play().catch(() => undefined);
        }
        scan();
      })
      .catch((error: unknown) => setProblem(error instanceof DOMException && error.name === 'NotAllowedError' ? 'denied' : 'noCamera'));
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [onCode, supported]);

  const shown = supported ? problem : 'noCamera';
  if (shown) {
    return (
      <p className="notice notice--warning" role="alert">
        {t(`signInCards.scan.${shown}`)}
      </p>
    );
  }
  return (
    <div className="card-scanner">
      <video ref={video} className="card-scanner__video" muted playsInline aria-label={t('signInCards.scan.cameraLabel')} />
      <p className="muted" role="status">
        {t('signInCards.scan.looking')}
      </p>
    </div>
  );
}
