// Progress for long work: a cli-progress bar on a TTY; otherwise (logs, CI) a line at most every
// `intervalMs`, and always at the last step of a known total.
import cliProgress from 'cli-progress';

export interface Progress {
  /**
   * Absolute figures so far: `done` units, `bytes` of the input (moves the bar when its total
   * size is known), `note` what is being done now (a step's name).
   */
  update(done: number, bytes?: number, note?: string): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** What is counted, said after the count: 'rows', 'slots'; none for named steps. */
  unit?: string;
  /** How many units there are, when known: shown as done/total. Otherwise the rate is shown. */
  total?: number;
  /** Total input bytes, when known (a file): a percentage. */
  totalBytes?: number;
  stream?: NodeJS.WriteStream;
  /** Off a TTY, the least time between two lines (default 5 s; 0: a line per update). */
  intervalMs?: number;
  clock?: () => number;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The figures a bar or a line shows: `3/13` or `1,234`, and units per second. */
interface Figures {
  count: string;
  rate: string;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const clock = options.clock ?? Date.now;
  const started = clock();
  const figures = (done: number): Figures => {
    const seconds = (clock() - started) / 1000;
    const count = options.total === undefined ? formatCount(done) : `${done}/${options.total}`;
    return { count, rate: formatCount(seconds > 0 ? done / seconds : 0) };
  };
  return stream.isTTY ? progressBar(options, stream, figures) : progressLines(options, stream, clock, figures);
}

/** ` rows`, or nothing for named steps. */
function unitText(options: ProgressOptions): string {
  return options.unit ? ` ${options.unit}` : '';
}

function progressBar(
  options: ProgressOptions,
  stream: NodeJS.WriteStream,
  figures: (done: number) => Figures,
): Progress {
  const unit = unitText(options);
  const byBytes = options.totalBytes !== undefined && options.totalBytes > 0;
  const rate = options.total === undefined ? ` | {rate}${unit}/s` : '';
  const bar = byBytes || options.total !== undefined ? ' [{bar}]' : '';
  const percentage = byBytes ? ' {percentage}% |' : '';
  const format = `${options.label}${bar}${percentage} {count}${unit}${rate} | {duration}s{note}`;
  const progress = new cliProgress.SingleBar(
    { stream, format, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  // The bar moves by bytes when the input's size is known, else by units of a known total.
  const position = (done: number, bytes?: number) => {
    if (byBytes) return bytes ?? 0;
    return options.total === undefined ? 0 : done;
  };
  progress.start(byBytes ? options.totalBytes! : (options.total ?? 1), 0, { ...figures(0), note: '' });
  return {
    update(done, bytes, note) {
      progress.update(position(done, bytes), { ...figures(done), note: note ? ` | ${note}` : '' });
    },
    stop() {
      progress.stop();
    },
  };
}

function progressLines(
  options: ProgressOptions,
  stream: NodeJS.WriteStream,
  clock: () => number,
  figures: (done: number) => Figures,
): Progress {
  const interval = options.intervalMs ?? 5000;
  const unit = unitText(options);
  let last = clock();
  return {
    update(done, bytes, note) {
      const now = clock();
      if (now - last < interval && done !== options.total) return;
      last = now;
      const { count, rate } = figures(done);
      const pct =
        options.totalBytes && bytes !== undefined ? ` (${((100 * bytes) / options.totalBytes).toFixed(1)}%)` : '';
      const speed = options.total === undefined ? `, ${rate}${unit}/s` : '';
      stream.write(`${options.label}: ${count}${unit}${pct}${speed}${note ? ` ${note}` : ''}\n`);
    },
    stop() {},
  };
}
