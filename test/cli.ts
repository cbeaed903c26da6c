/** Running the `facematch` CLI in tests: in-process through main(), or its bin as a real process. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { PairRecord } from '../src/core/records.ts';
import { main } from '../src/cli/main.ts';
import { REPO_ROOT } from './faces.ts';

export const BIN = path.join(REPO_ROOT, 'bin/facematch.mjs');

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main() in-process with a captured, non-terminal stdout. */
export async function runCli(argv: string[], cwd: string, env: Record<string, string> = {}, signal?: AbortSignal): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => { stdout += s; return true; }, isTTY: false },
    stderr: { write: (s: string) => { stderr += s; return true; } },
    env,
    cwd,
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

export interface ArchiveContents {
  names: string[];
  records: PairRecord[];
}

export async function readArchive(file: string): Promise<ArchiveContents> {
  const files = unzipSync(new Uint8Array(await readFile(file)));
  const names = Object.keys(files);
  const records = names.filter((n) => /^results\/.+\.json$/.test(n)).map((n) => JSON.parse(strFromU8(files[n]!)) as PairRecord);
  return { names, records };
}

