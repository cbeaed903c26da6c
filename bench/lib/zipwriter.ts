/**
 * Writes generated benchmark inputs as a ZIP file with fflate's streaming writer, so a 300 MB
 * archive goes to disk entry by entry instead of sitting in memory.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

export interface ZipInput {
  name: string;
  data: Uint8Array;
}

/** Writes the entries to `file`; resolves with the archive's size in bytes. */
export async function writeZip(file: string, entries: Iterable<ZipInput>, method: 'store' | 'deflate'): Promise<number> {
  const out = createWriteStream(file);
  let size = 0;
  let failure: Error | null = null;
  const zip = new Zip((err, chunk, final) => {
    if (err) failure = err;
    else {
      size += chunk.length;
      out.write(chunk);
    }
    if (final || err) out.end();
  });
  for (const entry of entries) {
    const part = method === 'deflate' ? new ZipDeflate(entry.name, { level: 6 }) : new ZipPassThrough(entry.name);
    zip.add(part);
    part.push(entry.data, true);
    if (out.writableNeedDrain) await once(out, 'drain');
    if (failure) break;
  }
  zip.end();
  if (!out.writableFinished) await once(out, 'finish');
  if (failure) throw failure;
  return size;
}
