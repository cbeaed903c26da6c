/**
 * `facematch`: the command-line entry (bin/facematch.mjs loads it through tsx). A thin layer over
 * core: arguments and environment in, exit code out. `main` is also what the tests call in-process.
 */
import { errorText } from '../core/common/text.ts';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseCommand, USAGE, UsageError } from './args.ts';
import type { CliIO } from './run.ts';
import { cliVersion } from './version.ts';

export type { CliIO };

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Runs one command; resolves with the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const cmd = parseCommand(argv, io.env);
    switch (cmd.command) {
      case 'help':
        io.stdout.write(`${USAGE}\n`);
        return EXIT_OK;
      case 'usage':
        io.stderr.write(`facematch needs a command.\n\n${USAGE}\n`);
        return EXIT_USAGE;
      case 'version':
        io.stdout.write(`facematch ${cliVersion()}\n`);
        return EXIT_OK;
      case 'run':
        return await (await import('./run.ts')).runCommand(cmd, io);
      case 'merge':
        return await (await import('./merge.ts')).mergeCommand(cmd, io);
      case 'serve': {
        const { runFromCli } = await import('../../server/main.ts');
        await runFromCli();
        return -1; // the server keeps the process alive and exits by itself
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`facematch: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`facematch: the command failed unexpectedly (${errorText(err)}). Run it again; if it keeps failing, report it with the command line you used.\n`);
    return EXIT_FAILED;
  }
}

/** The process entry: Ctrl-C (SIGINT) or SIGTERM stops the run cleanly; a second one exits at once. */
export async function cli(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\nfacematch: ${sig} again: exiting without writing the archive.\n`);
      process.exit(130);
    }
    process.stderr.write(`\nfacematch: ${sig}: stopping; the calls in flight are cancelled and the partial archive is written (press Ctrl-C again to exit at once).\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  if (code < 0) {
    // `serve`: the server handles its own signals.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return;
  }
  // Exit once stdout has drained (sockets kept alive by fetch would otherwise hold the process).
  process.stdout.write('', () => process.exit(code));
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) void cli();
