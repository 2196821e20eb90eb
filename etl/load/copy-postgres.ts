// COPY ... FROM STDIN over node-postgres: one statement, streamed with backpressure.
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RowBatch } from '../formats/read-csv.js';
import { type CopySink, LineMap, mapCopyError, type OpenCopy } from './copy-sink.js';

export function postgresCopy(client: pg.Client): OpenCopy {
  return async (table, { freeze }) => {
    const stream = client.query(
      copyFrom(`copy ${table} (repo, ts, stars) from stdin with (format csv${freeze ? ', freeze' : ''})`),
    );
    const map = new LineMap();
    let failure: unknown;
    const failed = new Promise<never>((_, reject) => {
      stream.on('error', (error) => {
        failure = mapCopyError(error, map);
        reject(failure);
      });
    });
    failed.catch(() => {}); // observed through write/end
    const sink: CopySink = {
      async write(batch: RowBatch) {
        if (failure) throw failure;
        map.add(batch);
        if (!stream.write(batch.text)) {
          await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), failed]);
        }
      },
      async end() {
        if (failure) throw failure;
        await Promise.race([new Promise<void>((resolve) => stream.end(() => resolve())), failed]);
        return stream.rowCount;
      },
      // destroy() sends CopyFail; the server ends the COPY and the connection is usable again.
      async abort(reason: Error) {
        if (failure || stream.destroyed) return;
        await new Promise<void>((resolve) => {
          stream.once('close', () => resolve());
          stream.once('error', () => resolve());
          stream.destroy(reason);
        });
      },
    };
    return sink;
  };
}
