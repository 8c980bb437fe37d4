import { digestApi } from './api.ts';

/** Web Push in this browser (issue 12 §5): the service worker in client/public shows what arrives. */
export const pushSupported = () => typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

const base64UrlToBytes = (text: string): Uint8Array<ArrayBuffer> => {
  const b64 = (text + '='.repeat((4 - (text.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
};
const bytesToBase64Url = (buffer: ArrayBuffer | null) =>
  buffer
    ? btoa(String.fromCharCode(...new Uint8Array(buffer)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, '')
    : '';

async function registration() {
  return navigator.serviceWorker.register('/push-sw.js', { scope: '/' });
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg ? reg.pushManager.getSubscription() : null;
}

/** Asks the browser's permission, subscribes and tells the server. */
export async function subscribeThisBrowser(): Promise<'subscribed' | 'denied' | 'unavailable'> {
  if (!pushSupported()) return 'unavailable';
  const { publicKey } = await digestApi.publicKey();
  if (!publicKey) return 'unavailable';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const reg = await registration();
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(publicKey) }));
  await digestApi.subscribe({ endpoint: sub.endpoint, keys: { p256dh: bytesToBase64Url(sub.getKey('p256dh')), auth: bytesToBase64Url(sub.getKey('auth')) } });
  return 'subscribed';
}

export async function unsubscribeThisBrowser(): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  await digestApi.unsubscribe(sub.endpoint).catch(() => undefined);
  await sub.unsubscribe();
}
