// PGlite has no COPY streaming: `COPY ... FROM '/dev/blob'` reads one whole Blob per
// statement. So each batch (tens of thousands of rows) is its own COPY, inside load's
// transaction; memory stays at one batch.
import type { Transaction } from '@electric-sql/pglite';
import { type CopySink, LineMap, mapCopyError, type OpenCopy } from './copy-sink.js';
import type { RowBatch } from './read-csv.js';

/** `tx`: load's transaction (PGlite runs one connection; its transaction() keeps others out). */
export function pgliteCopy(db: Pick<Transaction, 'query'>): OpenCopy {
  return async (table, { freeze }) => {
    const map = new LineMap();
    let copied = 0;
    const sink: CopySink = {
      async write(batch: RowBatch) {
        const base = copied;
        map.add(batch);
        try {
          const result = await db.query(`copy ${table} (repo, ts, stars) from '/dev/blob' with (format csv${freeze ? ', freeze' : ''})`, [], {
            blob: new Blob([batch.text]),
          });
          copied += result.affectedRows ?? batch.rows;
        } catch (error) {
          throw mapCopyError(error, map, base);
        }
      },
      async end() {
        return copied;
      },
      // Each batch was a complete statement; the transaction's rollback undoes them.
      async abort() {},
    };
    return sink;
  };
}
