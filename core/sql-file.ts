import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SQL_DIR = fileURLToPath(new URL('../sql/', import.meta.url));
const cache = new Map<string, string>();

/** The text of a file under sql/, e.g. `sqlFile('schema.sql')` or `sqlFile('reference/total-gain.sql')`. */
export function sqlFile(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(SQL_DIR + name, 'utf8');
    cache.set(name, text);
  }
  return text;
}
