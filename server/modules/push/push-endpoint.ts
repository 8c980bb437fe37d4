/**
 * Which push-service endpoints a browser may hand us (issue 12 §5). The server POSTs to whatever endpoint a
 * subscription names, so an endpoint is an address any signed-in user chooses: left open, a pupil could make
 * the server send requests to hosts inside the school's network. Only the push services of the browsers
 * are allowed (host suffixes, https only), configurable with PUSH_ENDPOINT_HOSTS; an entry that is a whole
 * origin (http://127.0.0.1:8080) allows exactly that origin, for tests and private push services. Redirects
 * are never followed when sending (push.sender.ts), so an allowed host cannot bounce a request elsewhere.
 */
export const DEFAULT_PUSH_ENDPOINT_HOSTS = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
  'push.services.mozilla.com',
  'notify.windows.com',
  'push.apple.com',
] as const;

export function endpointAllowed(endpoint: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return allowed.some((entry) => {
    if (entry.includes('://')) return url.origin === new URL(entry).origin;
    if (url.protocol !== 'https:' || (url.port && url.port !== '443')) return false;
    const host = url.hostname.toLowerCase();
    return host === entry || host.endsWith(`.${entry}`);
  });
}
