/* global self */
// Polku's Web Push service worker (issue 12 §5). A message holds only a generic title and a path in the app
// (never a name or content); it is shown as a notification, and a click opens that path.
self.addEventListener('push', (event) => {
  let data = { title: 'Polku', url: '/notifications' };
  try {
    const parsed = event.data ? event.data.json() : null;
    if (parsed && typeof parsed.title === 'string' && typeof parsed.url === 'string' && parsed.url.startsWith('/')) data = parsed;
  } catch {
    // Not JSON: the generic title.
  }
  event.waitUntil(self.registration.showNotification(data.title, { data: { url: data.url }, icon: '/favicon.svg' }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = event.notification.data && typeof event.notification.data.url === 'string' ? event.notification.data.url : '/';
  // Same origin only: the path is resolved against this worker's own address.
  const url = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) if (w.url === url && 'focus' in w) return w.focus();
      return self.clients.openWindow(url);
    }),
  );
});
