// A DynamoDB "export to S3" (ExportTableToPointInTime, DYNAMODB_JSON) written as AWS writes it,
// from the items of a table in the embedded store: <root>/[<prefix>/]AWSDynamoDB/<ExportId>/
// holding _started, manifest-summary.json (+ .checksum), manifest-files.json (+ .checksum, one
// JSON line per data file: itemCount, md5Checksum, etag, dataFileS3Key) and data/<26 base32
// characters>.json.gz, one `{"Item": {...}}` per line, at least one file per partition (an
// empty partition gives an empty file). The layout is AWS's page "DynamoDB table export output
// format".
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { seededRandom } from './random.js';

export type Item = Record<string, AttributeValue>;

/** Every item of `table`, as a Scan returns them. */
export async function scanItems(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** An attribute value in DynamoDB JSON as the export writes it: binary as base64. */
function exportValue(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: exportItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(exportValue) };
  return value;
}

function exportItem(item: Item): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, exportValue(value)]));
}

/** One line of a data file. */
export function exportLine(item: Item): string {
  return JSON.stringify({ Item: exportItem(item) });
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export interface TableExportOptions {
  /** The folder standing for the bucket. */
  root: string;
  table: string;
  items: readonly Item[];
  /** Data files holding items (partitions); two empty ones are added, as AWS does for empty partitions. */
  files?: number;
  /** The export prefix chosen in the request (S3Prefix). */
  prefix?: string;
  bucket?: string;
  seed?: number;
  /** Changes a data file's lines before it is compressed and listed: an item as AWS would have written it. */
  lines?: (file: number, lines: string[]) => string[];
}

export interface WrittenExport {
  /** The export's folder: `<root>/[<prefix>/]AWSDynamoDB/<ExportId>`. */
  dir: string;
  /** Its key prefix in the bucket: `[<prefix>/]AWSDynamoDB/<ExportId>`. */
  base: string;
  /** The data files' paths, in manifest order (the empty ones last). */
  dataFiles: string[];
  itemCount: number;
}

function md5(bytes: Buffer): Buffer {
  return createHash('md5').update(bytes).digest();
}

/** The items split into `files` partitions, in a shuffled order (a hashed keyspace), then the empty ones. */
function partition(items: readonly Item[], files: number, random: () => number): Item[][] {
  const parts: Item[][] = Array.from({ length: files }, () => []);
  for (const item of items) parts[Math.floor(random() * files)]!.push(item);
  return [...parts, [], []];
}

function writeDataFiles(options: TableExportOptions, base: string, random: () => number) {
  const stem = () => Array.from({ length: 26 }, () => BASE32[Math.floor(random() * 32)]).join('');
  const parts = partition(options.items, options.files ?? 3, random);
  return parts.map((part, index) => {
    const lines = options.lines ? options.lines(index, part.map(exportLine)) : part.map(exportLine);
    const key = `${base}/data/${stem()}.json.gz`;
    // An empty partition's file: zero bytes for one, an empty gzip member for the other.
    const empty = part.length === 0 && index === parts.length - 1;
    const bytes = empty ? Buffer.alloc(0) : gzipSync(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    const file = path.join(options.root, key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    const line = {
      itemCount: lines.length,
      md5Checksum: md5(bytes).toString('base64'),
      etag: `${md5(bytes).toString('hex')}-1`,
      dataFileS3Key: key,
    };
    return { file, line, billed: lines.reduce((n, l) => n + l.length + 1, 0) };
  });
}

export function writeTableExport(options: TableExportOptions): WrittenExport {
  const random = seededRandom(options.seed ?? 7);
  const exportId = `0${1_700_000_000_000 + Math.floor(random() * 1e9)}-${Math.floor(random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`;
  const base = `${options.prefix ? `${options.prefix}/` : ''}AWSDynamoDB/${exportId}`;
  const dir = path.join(options.root, base);
  const files = writeDataFiles(options, base, random);
  const tableArn = `arn:aws:dynamodb:us-east-1:123456789012:table/${options.table}`;
  const manifestFiles = files.map((f) => `${JSON.stringify(f.line)}\n`).join('');
  const itemCount = files.reduce((n, f) => n + f.line.itemCount, 0);
  const summary = {
    version: '2020-06-30',
    exportArn: `${tableArn}/export/${exportId}`,
    startTime: '2026-01-02T03:04:05.678Z',
    endTime: '2026-01-02T03:09:10.111Z',
    tableArn,
    tableId: '12345a12-abcd-123a-ab12-1234abc12345',
    exportTime: '2026-01-02T03:04:05.678Z',
    s3Bucket: options.bucket ?? 'startrail-exports',
    s3Prefix: options.prefix ?? null,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${base}/manifest-files.json`,
    billedSizeBytes: files.reduce((n, f) => n + f.billed, 0),
    itemCount,
    outputFormat: 'DYNAMODB_JSON',
    exportType: 'FULL_EXPORT',
  };
  const summaryText = JSON.stringify(summary);
  writeFileSync(path.join(dir, '_started'), '');
  writeFileSync(path.join(dir, 'manifest-files.json'), manifestFiles);
  writeFileSync(path.join(dir, 'manifest-files.checksum'), md5(Buffer.from(manifestFiles)).toString('hex'));
  writeFileSync(path.join(dir, 'manifest-summary.json'), summaryText);
  writeFileSync(path.join(dir, 'manifest-summary.checksum'), md5(Buffer.from(summaryText)).toString('hex'));
  return { dir, base, dataFiles: files.map((f) => f.file), itemCount };
}
