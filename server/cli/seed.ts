import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { DEMO_PASSWORD, DEMO_USERNAMES, seedDemoSchool } from '../seed/demo-school.ts';

/** `npm run seed`: creates the demo school on any database (idempotent). */
const config = loadConfig(process.env);
const database = await openDatabase(config.database);
try {
  await migrate(database.db);
  const { created } = await seedDemoSchool(database.db);
  console.log(
    created
      ? `Demo school created. Sign in as ${DEMO_USERNAMES.join(', ')} with password ${DEMO_PASSWORD} (DEMO=true must be set for the server).`
      : 'The demo school is already there.',
  );
} finally {
  await database.close();
}
