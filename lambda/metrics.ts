// CloudWatch metrics as Embedded Metric Format log lines: CloudWatch extracts them from the
// function's logs, so the collector needs no metrics API call and no extra IAM permission.
import { POLL_METRIC, type PollStatus } from '../core/domain.js';

export interface PollMetrics {
  track: string;
  status: PollStatus;
  rowsWritten: number;
  durationMs: number;
}

/** One EMF object (no dimensions, so the alarm sums POLL_METRIC across tracks). */
export function emfRecord(m: PollMetrics, now: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: POLL_METRIC.namespace,
          Dimensions: [[]],
          Metrics: [
            { Name: POLL_METRIC.metricName, Unit: 'Count' },
            { Name: 'RowsWritten', Unit: 'Count' },
            { Name: 'PollDurationMs', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    [POLL_METRIC.metricName]: m.status === 'ok' ? 1 : 0,
    RowsWritten: m.rowsWritten,
    PollDurationMs: m.durationMs,
    track: m.track,
    status: m.status,
  };
}

export type MetricSink = (line: string) => void;

export const stdoutMetricSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function emitPollMetrics(sink: MetricSink, m: PollMetrics, now: number = Date.now()): void {
  sink(JSON.stringify(emfRecord(m, now)));
}
