/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table (≈20 columns). */
export const INSERT_BATCH = 1000;

/** Runs `write` over `rows` in chunks of INSERT_BATCH, in order (a bulk insert of any size). */
export async function inBatches<T>(rows: readonly T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) await write(rows.slice(i, i + INSERT_BATCH));
}
