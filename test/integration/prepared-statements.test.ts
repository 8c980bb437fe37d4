import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { executePrepared } from '../../server/db/prepared.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { openTestDatabase, testDatabaseKind } from '../helpers/test-db.ts';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('prepared statements', () => {
  it('answer like the plain query (camelCase rows included), and are named on PostgreSQL', async () => {
    const school = await makeSchool(database.db);
    const user = await makeUser(database.db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Esimerkki' });
    // One connection throughout, so that its prepared statements can be listed.
    await database.db.connection().execute(async (db) => {
      const query = db.selectFrom('users').select(['users.id', 'users.displayName']).where('users.id', '=', user.id);
      const plain = await query.execute();
      expect(plain).toEqual([{ id: user.id, displayName: 'Opettaja Esimerkki' }]);
      // Twice: the first call prepares the statement, the second only executes it.
      expect(await executePrepared(db, query.compile())).toEqual(plain);
      expect(await executePrepared(db, query.compile())).toEqual(plain);
      if (testDatabaseKind !== 'postgres') return;
      const statements = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);
      expect(statements.rows).toContainEqual({ name: expect.stringMatching(/^polku_\d+$/), statement: query.compile().sql });
    });
  });
});
