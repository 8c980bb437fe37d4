import { Writable } from 'node:stream';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { scrubText, scrubUrl } from '../../server/http/log-redaction.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { addMember, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startS3Server, type S3TestServer } from '../helpers/s3-server.ts';
import { startTestApp, TEST_PASSWORD } from '../helpers/test-app.ts';

/** Every line a logger writes, kept in memory. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

/** The secret parts of a signed URL: the S3 signature and credential, or the local store's token. */
function urlSecrets(location: string): string[] {
  const url = new URL(location, 'http://x');
  const secrets = [...url.searchParams.entries()].filter(([k]) => /^x-amz-(signature|credential|security-token)$/i.test(k)).map(([, v]) => v);
  const token = /\/api\/blobs\/([^/?]+)/.exec(url.pathname)?.[1];
  if (token) secrets.push(token, ...token.split('.'));
  return secrets.filter((s) => s.length >= 8);
}

const stores = ['local', 's3'] as const;
let s3: S3TestServer | null = null;
afterAll(async () => s3?.close());

describe('logs hold no cookie, session id or signed-URL secret', () => {
  for (const store of stores) {
    it(`the whole story with logging on (${store} store)`, { timeout: 60_000 }, async () => {
      const log = capture();
      if (store === 's3') s3 ??= await startS3Server();
      const env: Record<string, string> =
        store === 's3' && s3
          ? {
              S3_ENDPOINT: s3.endpoint,
              S3_BUCKET: s3.bucket,
              S3_REGION: s3.region,
              S3_ACCESS_KEY_ID: s3.accessKeyId,
              S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
              S3_FORCE_PATH_STYLE: 'true',
            }
          : {};
      const app = await startTestApp({ logger: log.logger, env });
      const secrets: string[] = [];
      try {
        const pupil = await makeUser(app.database.db, { role: 'pupil' });
        const client = app.client();
        const login = await client.login(pupil.username, TEST_PASSWORD);
        const cookie = login.headers.getSetCookie().find((c) => c.startsWith('polku.sid='));
        expect(cookie).toBeDefined();
        const value = (cookie ?? '').split(';')[0]?.slice('polku.sid='.length) ?? '';
        const decoded = decodeURIComponent(value);
        const sid = decoded.slice(2, decoded.indexOf('.'));
        secrets.push(value, decoded, sid, decoded.slice(decoded.indexOf('.') + 1));

        const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#36a' } })
          .png()
          .toBuffer();
        const created = await client.post<{ id: string; media: Array<{ id: string }> }>(
          '/api/artefacts',
          artefactForm({ title: 'Lokitesti' }, [{ name: 'kuva.png', type: 'image/png', bytes: png }]),
        );
        expect(created.status).toBe(201);
        const mediaId = created.body.media[0]?.id ?? '';

        const media = await client.get(`/api/media/${mediaId}/original`);
        expect(media.status).toBe(302);
        const mediaUrl = media.headers.get('location') ?? '';
        secrets.push(...urlSecrets(mediaUrl));
        const download = await fetch(new URL(mediaUrl, app.url));
        expect(download.status).toBe(200);
        await download.arrayBuffer();

        const started = await client.post<{ id: string }>(`/api/pupils/${pupil.id}/exports`, {});
        expect(started.status).toBe(202);
        await app.polku.maintenance.runJobs();
        const exported = await client.get(`/api/exports/${started.body.id}/download`);
        expect(exported.status).toBe(302);
        const exportUrl = exported.headers.get('location') ?? '';
        secrets.push(...urlSecrets(exportUrl));
        const archive = await fetch(new URL(exportUrl, app.url));
        expect(archive.status).toBe(200);
        await archive.arrayBuffer();

        // The signed URL and cookie reach the server in places a careless logger would print.
        await client.request('GET', `/api/nothing-here?next=${encodeURIComponent(mediaUrl)}`, undefined, { referer: exportUrl });
        app.polku.logger.error({ err: new Error(`could not fetch ${mediaUrl}`), url: exportUrl }, `download failed`);
        expect((await client.post('/api/auth/logout', {})).status).toBe(200);
      } finally {
        await app.close();
      }

      const text = log.text();
      // Logging was on and saw the story.
      expect(text).toContain('/api/media/');
      expect(text).toContain('/api/auth/logout');
      expect(secrets.length).toBeGreaterThanOrEqual(store === 's3' ? 8 : 6);
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(5);
        expect(text, `a secret reached the log: ${secret.slice(0, 12)}…`).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
      }
      expect(text).toContain('[redacted]');
    });
  }

  // Issue 11 §3: a sign-in card's code is a bearer credential for a pupil's account.
  it('a sign-in card code never reaches the log, however it is sent or written', { timeout: 60_000 }, async () => {
    const log = capture();
    const app = await startTestApp({ logger: log.logger });
    const secrets: string[] = [];
    try {
      const db = app.database.db;
      const { id: schoolId } = await makeSchool(db);
      const group = await makeGroup(db, schoolId);
      const teacher = await makeUser(db, { role: 'teacher', schoolId });
      const pupil = await makeUser(db, { role: 'pupil', schoolId });
      await addMember(db, group.id, teacher.id, 'teacher');
      await addMember(db, group.id, pupil.id, 'pupil');
      const teacherClient = await app.as(teacher.username);
      const issued = await teacherClient.post<{ cards: Array<{ url: string; code: string }> }>(`/api/groups/${group.id}/sign-in-cards`, {});
      expect(issued.status).toBe(201);
      const card = issued.body.cards[0] ?? { url: '', code: '' };
      const code = card.url.slice(card.url.indexOf('#') + 1);
      secrets.push(code, card.code, code.toUpperCase());
      const device = app.client();
      // The sign-in itself, a careless client sending the card URL as its Referer and in a query, and a module logging it.
      expect((await device.request('POST', '/api/auth/card', { cardCode: code }, { referer: card.url })).status).toBe(200);
      await device.request('GET', `/api/nothing-here?next=${encodeURIComponent(card.url)}`, undefined, { referer: card.url });
      await device.request('POST', '/api/auth/card', { cardCode: `${code}-extra-letters-u` }, { referer: card.url });
      app.polku.logger.error({ err: new Error(`card ${card.url} failed`), cardCode: code, url: card.url }, 'card sign-in failed');
    } finally {
      await app.close();
    }
    const text = log.text();
    expect(text).toContain('/api/auth/card');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(20);
      expect(text, `a card code reached the log: ${secret.slice(0, 6)}…`).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
    }
    expect(text).toContain('/card#[redacted]');
  });

  it('scrubs signed-URL parameters and tokens wherever they appear', () => {
    expect(scrubUrl('/p/k?X-Amz-Signature=abc&X-Amz-Credential=k%2F1&partNumber=2')).toBe(
      '/p/k?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&partNumber=2',
    );
    expect(scrubUrl('/api/blobs/eyJrIjoi.c2lnbmF0dXJl?download=1')).toBe('/api/blobs/[redacted]?download=1');
    expect(scrubText('GET https://s3/b/k?Expires=1&Signature=zz failed; cookie polku.sid=s%3Aabc.def')).toBe(
      'GET https://s3/b/k?Expires=[redacted]&Signature=[redacted] failed; cookie polku.sid=[redacted]',
    );
  });
});
