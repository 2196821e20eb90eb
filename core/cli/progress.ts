// Progress for long work: a cli-progress bar on a TTY, a line every few seconds otherwise.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Absolute figures so far; `bytes` moves the bar when the total size is known. */
  update(rows: number, bytes?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** Total input bytes, when known (a file): the bar shows a percentage. */
  totalBytes?: number;
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
  clock?: () => number;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const clock = options.clock ?? Date.now;
  const started = clock();
  const rate = (rows: number) => {
    const s = (clock() - started) / 1000;
    return s > 0 ? rows / s : 0;
  };
  if (stream.isTTY) {
    const known = options.totalBytes !== undefined && options.totalBytes > 0;
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: known
          ? `${options.label} [{bar}] {percentage}% | {rowsText} rows | {rateText} rows/s | {duration}s`
          : `${options.label} {rowsText} rows | {rateText} rows/s | {duration}s`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(known ? options.totalBytes! : 1, 0, { rowsText: '0', rateText: '0' });
    return {
      update(rows, bytes) {
        bar.update(known ? (bytes ?? 0) : 0, { rowsText: formatCount(rows), rateText: formatCount(rate(rows)) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const interval = options.intervalMs ?? 5000;
  let last = started;
  return {
    update(rows, bytes) {
      const now = clock();
      if (now - last < interval) return;
      last = now;
      const pct =
        options.totalBytes && bytes !== undefined ? ` (${((100 * bytes) / options.totalBytes).toFixed(1)}%)` : '';
      stream.write(`${options.label}: ${formatCount(rows)} rows${pct}, ${formatCount(rate(rows))} rows/s\n`);
    },
    stop() {},
  };
}
