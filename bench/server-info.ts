// The PostgreSQL a benchmark ran against, as its results file records it: the version string and
// the settings that move load and query times.
const SETTINGS = [
  'shared_buffers',
  'work_mem',
  'wal_level',
  'max_wal_size',
  'maintenance_work_mem',
  'synchronous_commit',
  'fsync',
];

export type Query = (sql: string) => Promise<Record<string, unknown>[]>;

export interface ServerInfo {
  version: string;
  settings: Record<string, string>;
}

export async function serverInfo(query: Query): Promise<ServerInfo> {
  const [v] = await query('select version() as version');
  const rows = await query(
    `select name, current_setting(name) as value from pg_settings where name in (${SETTINGS.map((s) => `'${s}'`).join(', ')}) order by name`,
  );
  return {
    version: String(v?.version),
    settings: Object.fromEntries(rows.map((r) => [String(r.name), String(r.value)])),
  };
}

/** `name value, name value, ...` for a results file. */
export const settingsOf = (info?: ServerInfo): string =>
  Object.entries(info?.settings ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
