// Configuration from the environment; command-line flags override these values.
import path from 'node:path';
import { DEFAULT_TRACKS, MAX_TOP, type Track } from './domain.js';
import { SettingError } from './errors.js';

export interface Config {
  githubToken?: string;
  githubApiUrl: string;
  githubTokenSecretArn?: string;
  starsTable: string;
  pollsTable: string;
  dynamodbEndpoint?: string;
  awsRegion: string;
  databaseUrl?: string;
  dataDir: string;
  /**
   * TRACKS, parsed on first read: only the collector uses it, so a bad value fails the commands
   * that poll (with TRACKS named) and never the ones that export, load or analyze.
   */
  tracks: Track[];
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  let tracks: Track[] | undefined;
  return {
    githubToken: env.GITHUB_TOKEN || undefined,
    githubApiUrl: env.GITHUB_API_URL || 'https://api.github.com/graphql',
    githubTokenSecretArn: env.GITHUB_TOKEN_SECRET_ARN || undefined,
    starsTable: env.STARS_TABLE || 'startrail-stars',
    pollsTable: env.POLLS_TABLE || 'startrail-polls',
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.STARTRAIL_DATA_DIR || 'data'),
    get tracks(): Track[] {
      tracks ??= env.TRACKS ? tracksSetting(env.TRACKS) : DEFAULT_TRACKS.map((t) => ({ ...t }));
      return tracks;
    },
    set tracks(value: Track[]) {
      tracks = value;
    },
  };
}

/** The flags of the export and load CLIs that stand in for STARS_TABLE, DYNAMODB_ENDPOINT, STARTRAIL_DATA_DIR. */
export interface StoreFlags {
  table?: string;
  endpoint?: string;
  dataDir?: string;
}

/** The configuration of `env` with the store flags given on the command line in place of theirs. */
export function loadConfigWithFlags(flags: StoreFlags, env: Env = process.env): Config {
  return loadConfig({
    ...env,
    ...(flags.table ? { STARS_TABLE: flags.table } : {}),
    ...(flags.endpoint ? { DYNAMODB_ENDPOINT: flags.endpoint } : {}),
    ...(flags.dataDir ? { STARTRAIL_DATA_DIR: flags.dataDir } : {}),
  });
}

const TRACKS_FORMS = 'expected JSON like [{"query":"language:go","top":1000}] or language:go=1000;...';

/** parseTracks with TRACKS named and the accepted forms shown, as one line. */
function tracksSetting(text: string): Track[] {
  try {
    return parseTracks(text);
  } catch (error) {
    const problem = (error as Error).message.replace(/^TRACKS:\s*/, '').replace(/^TRACKS(?=\[)/, '');
    throw new SettingError('TRACKS', `${problem} (${TRACKS_FORMS})`);
  }
}

/**
 * TRACKS is JSON: `[{"query":"language:go","top":1000}, ...]`, or the short form
 * `language:go=1000;language:rust=500`.
 */
export function parseTracks(text: string): Track[] {
  const trimmed = text.trim();
  const raw: unknown = trimmed.startsWith('[')
    ? parseJson(trimmed)
    : trimmed
        .split(';')
        .filter(Boolean)
        .map((part) => {
          const at = part.lastIndexOf('=');
          return at < 0
            ? { query: part.trim(), top: 1000 }
            : { query: part.slice(0, at).trim(), top: Number(part.slice(at + 1)) };
        });
  if (!Array.isArray(raw) || raw.length === 0) throw new RangeError('TRACKS: expected at least one track');
  return raw.map((t, i) => {
    const { query, top } = (t ?? {}) as { query?: unknown; top?: unknown };
    if (typeof query !== 'string' || query.trim() === '')
      throw new RangeError(`TRACKS[${i}].query: expected a search query, got ${JSON.stringify(query)}`);
    if (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > MAX_TOP) {
      throw new RangeError(`TRACKS[${i}].top: expected an integer from 1 to ${MAX_TOP}, got ${JSON.stringify(top)}`);
    }
    return { query: query.trim(), top };
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RangeError(`TRACKS: not valid JSON (${(error as Error).message})`);
  }
}
