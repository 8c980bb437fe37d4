#!/usr/bin/env node
// `npx polku …`: runs the TypeScript command line (server/cli/polku.ts) through tsx, as `npm run seed` does.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../server/cli/polku.ts', import.meta.url).href);
