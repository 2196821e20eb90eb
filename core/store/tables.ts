// The two DynamoDB tables as every stage sees them: their default names and their keys. The
// collector writes them, the export reads them, the embedded store and cdk/ create them, all from
// these definitions (the item codecs beside this file own the other attributes).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** An item of either table, as the DynamoDB client sends and returns it. */
export type Item = Record<string, AttributeValue>;

/** A table's key: a string partition key and a number sort key (epoch seconds). */
export interface TableKey {
  readonly partition: string;
  readonly sort: string;
}

/** One row per repo and poll slot: (repo, ts) -> stars. */
export const STARS_KEY: TableKey = { partition: 'repo', sort: 'ts' };

/** One record per track and poll slot: (track, ts) -> status, counts, names. */
export const POLLS_KEY: TableKey = { partition: 'track', sort: 'ts' };

export const DEFAULT_STARS_TABLE = 'startrail-stars';
export const DEFAULT_POLLS_TABLE = 'startrail-polls';
