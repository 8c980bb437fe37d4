import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/fresh-database.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Logs hold no personal data or secrets that an error carries as data: PostgreSQL's `detail` (the row's
 * values), a request body, an OpenID Connect library's token response or ID-token claims. One serializer
 * (server/http/log-redaction.ts) makes every logged error; these go through the real app's logger.
 */
const lines: string[] = [];
const logger = pino(
  { level: 'trace' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  }),
);

let app: TestApp;
let fresh: Awaited<ReturnType<typeof freshDatabase>>;
beforeAll(async () => {
  // A database of its own: the test changes the users table's schema to make PostgreSQL fail.
  fresh = await freshDatabase();
  app = await startTestApp({ logger, database: fresh.handle });
}, 180_000);
afterAll(async () => {
  await app?.close();
  await fresh?.drop();
});

describe('a logged error keeps what went wrong and drops the data it was about', () => {
  it('a database error during a request: the log line names the SQLSTATE, not the row (e-mail, name)', async () => {
    const db = app.database.db;
    const school = await makeSchool(db);
    const admin = await makeUser(db, { role: 'admin', schoolId: school.id });
    const adminClient = await app.as(admin.username);
    // A column the app does not know and that may not be null: creating a user fails in PostgreSQL with
    // 23502, which the error middleware does not map (500, logged), and whose DETAIL is the whole new row.
    await sql`alter table users add column log_test_required text not null default 'x'`.execute(db);
    await sql`alter table users alter column log_test_required drop default`.execute(db);
    const email = 'aino.virtanen.logtest@koulu.example';
    const displayName = 'Aino Lokitesti Virtanen';
    const res = await adminClient.post(`/api/schools/${school.id}/users`, { username: 'aino.lokitesti', displayName, email, role: 'teacher' });
    await sql`alter table users drop column log_test_required`.execute(db);
    expect(res.status).toBe(500);

    const text = lines.join('');
    expect(text).toContain('request failed');
    expect(text).toContain('23502');
    expect(text).not.toContain(email);
    expect(text).not.toContain(displayName);
  });

  it('a unique violation on users.email, logged by a module: no e-mail in the line', async () => {
    const db = app.database.db;
    await sql`create unique index log_test_users_email on users (email)`.execute(db);
    const email = 'eino.kallio.logtest@koulu.example';
    const first = await makeUser(db, { role: 'pupil' });
    await db.updateTable('users').set({ email }).where('id', '=', first.id).execute();
    const second = await makeUser(db, { role: 'pupil' });
    const err: unknown = await db
      .updateTable('users')
      .set({ email })
      .where('id', '=', second.id)
      .execute()
      .then(
        () => null,
        (e: unknown) => e,
      );
    // The error itself carries the address (so the log could have).
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).toContain(email);
    const before = lines.length;
    app.polku.logger.child({ module: 'rosters' }).error({ err }, 'roster apply failed');
    const line = lines.slice(before).join('');
    expect(line).toContain('roster apply failed');
    expect(line).toContain('23505');
    expect(line).not.toContain(email);
  });

  it("an OpenID Connect error's token response and claims, and a request body, never reach the log", () => {
    const accessToken = 'eyJhbGciOi.access-token-logtest.c2ln';
    const claimsEmail = 'tuomas.claims.logtest@koulu.example';
    // The shapes oauth4webapi (openid-client) throws: `cause` holds the token response or the ID token's claims.
    const tokenError = Object.assign(new Error('unsupported `token_type` value'), { code: 'OAUTH_UNSUPPORTED_OPERATION' });
    Object.assign(tokenError, { cause: { body: { access_token: accessToken, token_type: 'mac' } } });
    const claimsError = Object.assign(new Error('unexpected JWT claim value encountered'), { cause: { claims: { email: claimsEmail, name: 'Tuomas' } } });
    // body-parser's parse error carries the raw request body.
    const bodyError = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', body: `{"password":"${accessToken}"` });
    const before = lines.length;
    for (const err of [tokenError, claimsError, bodyError]) app.polku.logger.warn({ err }, 'sign-in failed');
    const text = lines.slice(before).join('');
    expect(text).toContain('unsupported `token_type` value');
    expect(text).toContain('Unexpected token');
    expect(text).not.toContain(accessToken);
    expect(text).not.toContain(claimsEmail);
  });
});
