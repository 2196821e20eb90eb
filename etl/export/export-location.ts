// Where a DynamoDB export to S3 is read from: a local folder (the export's own folder, or one
// above it holding a single AWSDynamoDB/<ExportId>, as `aws s3 sync` of the prefix leaves it), or
// s3://bucket/prefix read with GetObject only: the manifests name every file, so nothing is
// listed and the reader needs s3:GetObject, not s3:ListBucket.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { errorClass } from '../../core/errors.js';

/** An export that cannot be read as it is: a missing or inconsistent file, a bad manifest. */
export class TableExportError extends errorClass('TABLE_EXPORT') {
  override readonly name = 'TableExportError';
}

export interface ExportLocation {
  /** The export's folder, for messages: a path or an s3:// URL. */
  readonly where: string;
  /** A file of the export (`data/x.json.gz`) as messages name it. */
  show(relative: string): string;
  /** A file's bytes as a stream, or undefined when there is no such file. */
  open(relative: string, signal?: AbortSignal): Promise<Readable | undefined>;
  close(): void;
}

export interface S3Options {
  region: string;
  /** An S3-compatible endpoint (MinIO, a local server): requests are then path-style. */
  endpoint?: string;
}

export const SUMMARY_FILE = 'manifest-summary.json';
/** Written first, before the manifests: alone, the export is still running. */
export const STARTED_FILE = '_started';
const EXPORTS_FOLDER = 'AWSDynamoDB';

/** `where`: a folder or `s3://bucket/prefix` (a trailing `/manifest-summary.json` is allowed). */
export function openExportLocation(where: string, s3: S3Options): ExportLocation {
  const folder = where.replace(/\/+manifest-summary\.json$/, '');
  return folder.startsWith('s3://') ? s3Location(folder, s3) : folderLocation(folder);
}

const isFile = (file: string) => existsSync(file) && statSync(file).isFile();

/** The export's folder: `dir` itself, or the one export under `dir/AWSDynamoDB` (or `dir` being that). */
function exportFolder(dir: string): string {
  if (isFile(path.join(dir, SUMMARY_FILE))) return dir;
  const parent = path.basename(dir) === EXPORTS_FOLDER ? dir : path.join(dir, EXPORTS_FOLDER);
  const found = existsSync(parent)
    ? readdirSync(parent).filter((id) => isFile(path.join(parent, id, SUMMARY_FILE)))
    : [];
  if (found.length === 1) return path.join(parent, found[0]!);
  if (found.length > 1) {
    throw new TableExportError(`${dir}: ${found.length} exports under ${parent} (${found.join(', ')}): give one`);
  }
  if (isFile(path.join(dir, STARTED_FILE))) {
    throw new TableExportError(`${dir}: ${STARTED_FILE} but no ${SUMMARY_FILE}: the export has not completed`);
  }
  throw new TableExportError(
    `${dir}: no ${SUMMARY_FILE} here nor in one ${EXPORTS_FOLDER}/<ExportId> below: give the export's folder (<prefix>/${EXPORTS_FOLDER}/<ExportId>)`,
  );
}

function folderLocation(where: string): ExportLocation {
  if (!existsSync(where) || !statSync(where).isDirectory()) throw new TableExportError(`${where}: no such folder`);
  const dir = exportFolder(where);
  const show = (relative: string) => path.join(dir, relative);
  return {
    where: dir,
    show,
    async open(relative) {
      return isFile(show(relative)) ? createReadStream(show(relative)) : undefined;
    },
    close() {},
  };
}

function s3Location(where: string, options: S3Options): ExportLocation {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(where);
  if (!match) throw new TableExportError(`${where}: expected s3://bucket/prefix`);
  const [, bucket, rest] = match as unknown as [string, string, string];
  const prefix = rest.replace(/\/+$/, '');
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
  });
  const key = (relative: string) => (prefix ? `${prefix}/${relative}` : relative);
  const show = (relative: string) => `s3://${bucket}/${key(relative)}`;
  return {
    where: `s3://${bucket}/${prefix}`,
    show,
    async open(relative, signal) {
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(relative) }), {
          abortSignal: signal,
        });
        return output.Body as Readable;
      } catch (error) {
        const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
        if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
        // Credentials, access, network: one line naming the object, whatever the SDK's error type.
        throw new TableExportError(`${show(relative)}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`, {
          cause: error,
        });
      }
    },
    close: () => client.destroy(),
  };
}
