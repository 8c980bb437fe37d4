import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

/** The Express server in development (`npx tsx server/main.ts`, PORT 3000). */
const apiServer = 'http://localhost:3000';
const devOrigin = 'http://localhost:5173';

/**
 * The server refuses writes whose Origin is not its PUBLIC_URL. Through this proxy the browser
 * says Origin http://localhost:5173, so for requests the browser itself marks as same-origin
 * (Sec-Fetch-Site, which a page on another site cannot fake) the Origin is rewritten to the
 * server's. Cross-site requests keep their headers and are still refused.
 */
const proxyTo = (ws = false): ProxyOptions => ({
  target: apiServer,
  ws,
  configure: (proxy) => {
    proxy.on('proxyReq', (proxyReq, req) => {
      if (req.headers['sec-fetch-site'] === 'same-origin' && req.headers.origin) proxyReq.setHeader('origin', apiServer);
    });
    // The WebSocket handshake is checked by Origin only; accept the dev server's own origin.
    proxy.on('proxyReqWs', (proxyReq, req) => {
      if (req.headers.origin === devOrigin) proxyReq.setHeader('origin', apiServer);
    });
  },
});

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    sourcemap: true,
    rolldownOptions: {
      output: {
        // Libraries change less often than our code: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            // The rich-text editor's framework: loaded only with the lazy editor (rich-text-editor.tsx).
            // Below react's group, which would otherwise be pulled in with its dependents.
            {
              name: 'editor',
              test: /node_modules[\\/](@tiptap|prosemirror-[a-z-]+|linkifyjs|orderedmap|rope-sequence|w3c-keyname|fast-equals)[\\/]/,
              priority: 3,
            },
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser|use-sync-external-store)[\\/]/,
              priority: 4,
            },
            // The goal page's growth chart (recharts and what it brings) and the QR code reader/writer of sign-in
            // cards: loaded only with the pages that use them, not with every first page.
            {
              name: 'charts',
              test: /node_modules[\\/](recharts|victory-vendor|d3-[a-z-]+|internmap|decimal\.js-light|@reduxjs|react-redux|redux|redux-thunk|immer|reselect|es-toolkit)[\\/]/,
              priority: 3,
            },
            { name: 'qr', test: /node_modules[\\/](jsqr|qrcode|dijkstrajs|pngjs)[\\/]/, priority: 3 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': proxyTo(),
      // Provider sign-in (SSO) starts and callbacks are server routes outside /api.
      '/auth': proxyTo(),
      // Secret links' public pages (issue 12 §4) are server-rendered.
      '/s/': proxyTo(),
      '/healthz': proxyTo(),
      '/readyz': proxyTo(),
      '/socket.io': proxyTo(true),
    },
  },
});
