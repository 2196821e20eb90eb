// Files a kill never leaves half-written: the text goes to a file beside, which is renamed over
// the target, so a reader sees the old file or the whole new one (side files, the checkpoint).
import { rename, writeFile } from 'node:fs/promises';

export async function writeFileAtomic(file: string, text: string, temp = `${file}.tmp`): Promise<void> {
  await writeFile(temp, text);
  await rename(temp, file);
}
