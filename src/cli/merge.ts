/** `facematch merge`: reads shard archives with core's archive reader and writes one archive with core's builder. */
import { errorText } from '../core/common/text.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { archiveFileName } from '../core/archive/archive-client.ts';
import { ArchiveReadError, readResultsArchive, type ReadResultsArchive } from '../core/archive/archive-read.ts';
import { mergeArchives, MergeError } from '../core/archive/merge.ts';
import { buildResultsZip } from '../core/archive/report.ts';
import { summarise } from '../core/run/stats.ts';
import { UsageError, type MergeArgs } from './args.ts';
import { writeOutput, type CliIO } from './run.ts';

export async function mergeCommand(args: MergeArgs, io: CliIO): Promise<number> {
  const archives: ReadResultsArchive[] = [];
  const given = new Map<string, string>();
  for (const file of args.inputs) {
    const full = path.resolve(io.cwd, file);
    const first = given.get(full);
    if (first !== undefined) {
      throw new UsageError(`${file === first ? `${file} is given twice` : `${first} and ${file} are the same file`}; give each archive once, e.g. facematch merge shard1.zip shard2.zip.`);
    }
    given.set(full, file);
  }
  for (const file of args.inputs) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path.resolve(io.cwd, file)));
    } catch (err) {
      const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : '';
      throw new UsageError(code === 'ENOENT' ? `${file} does not exist. Check the path to the archive.` : `${file} could not be read (${errorText(err)}).`);
    }
    try {
      archives.push(await readResultsArchive(bytes, file));
    } catch (err) {
      if (err instanceof ArchiveReadError) throw new UsageError(err.message);
      throw err;
    }
  }
  let input;
  try {
    input = mergeArchives(archives);
  } catch (err) {
    if (err instanceof MergeError) throw new UsageError(err.message);
    throw err;
  }
  const outFile = path.resolve(io.cwd, args.out ?? archiveFileName(io.now?.() ?? Date.now()));
  await writeOutput(outFile, await buildResultsZip(input), 'merged archive');
  const stats = summarise(input.records, input.contract);
  io.stdout.write(`facematch: merged ${archives.length} archives into ${outFile}: ${stats.pairs} records, ${stats.succeeded} succeeded, ${stats.failed} failed, ${stats.notRun} not run.\n`);
  return 0;
}
