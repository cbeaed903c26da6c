/** Running the `facematch` CLI in tests: in-process through main(), or its bin as a real process. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { PairRecord } from '../src/core/run/records.ts';
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
  /** run.json, parsed (null when the archive has none). */
  manifest: unknown;
}

export async function readArchive(file: string): Promise<ArchiveContents> {
  const files = unzipSync(new Uint8Array(await readFile(file)));
  const names = Object.keys(files);
  const records = names.filter((n) => /^results\/.+\.json$/.test(n)).map((n) => JSON.parse(strFromU8(files[n]!)) as PairRecord);
  const manifest = files['run.json'] ? JSON.parse(strFromU8(files['run.json'])) as unknown : null;
  return { names, records, manifest };
}


/** Runs the installed entry (bin/facematch.mjs, TypeScript through tsx) as a real process with a non-terminal stdout. */
export function runBin(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
