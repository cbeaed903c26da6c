import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, USAGE, parseCommand, parseShard, UsageError, type RunArgs } from './args.ts';
import { credentialsFromEnv } from './credentials.ts';
import { deepvue, kwikid } from '../core/contracts/contracts.ts';
import { NUMERIC_SETTINGS, readNumericSetting, type NumericSetting } from '../core/contracts/setting-rules.ts';
import { runCli } from '../../test/cli.ts';

const run = (...args: string[]) => parseCommand(['run', ...args]) as RunArgs;

/** The sentence a command line is refused with. */
function refusal(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCommand(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('facematch run arguments', () => {
  it('--concurrency: the help and the check state the settings panel\'s range; none given is one at a time', () => {
    const { min, max } = NUMERIC_SETTINGS.concurrency;
    expect(USAGE).toContain(`--concurrency 1 (up to ${max})`);
    expect(() => parseCommand(['run', 'a.zip', '--concurrency', String(max + 1)])).toThrow(`--concurrency must be a whole number from ${min} to ${max}`);
    expect(parseCommand(['run', 'a.zip', '--concurrency', String(max)])).toMatchObject({ concurrency: max });
    expect(parseCommand(['run', 'a.zip'])).toMatchObject({ concurrency: 1 });
  });

  it('has the documented defaults', () => {
    expect(run('pairs.zip')).toEqual({
      command: 'run', zip: 'pairs.zip', provider: 'kwikid', baseUrl: DEFAULT_BASE_URL,
      concurrency: 1, timeoutMs: 60_000, retries: 2, maxErrors: 0,
    });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(run('p.zip', '--provider', 'deepvue', '--base-url=https://api.example.com/', '--out', 'o.zip', '--concurrency', '4',
      '--rate', '3', '--timeout', '30', '--retries=0', '--junit', 'j.xml', '--shard', '2/3',
      '--rate-store', 'redis://127.0.0.1:6379', '--labels', 'l.csv', '--fail-under-accuracy', '95%', '--max-errors=3')).toEqual({
      command: 'run', zip: 'p.zip', provider: 'deepvue', baseUrl: 'https://api.example.com', out: 'o.zip', concurrency: 4,
      rate: 3, timeoutMs: 30_000, retries: 0, junit: 'j.xml', shard: { index: 2, count: 3 },
      rateStore: 'redis://127.0.0.1:6379', labels: 'l.csv', failUnderAccuracy: 0.95, maxErrors: 3,
    });
  });

  it('takes the shard number from JOB_COMPLETION_INDEX (0-based) with auto/N', () => {
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
  });

  it.each([
    [['run'], 'facematch run needs the ZIP of pairs to run, e.g. facematch run pairs.zip.'],
    [['run', 'a.zip', 'b.zip'], 'facematch run takes one ZIP, but got 2: a.zip, b.zip. Run them one at a time, or join them into one ZIP.'],
    [['run', 'a.zip', '--bogus'], 'facematch run has no option --bogus. Run facematch run --help for the list.'],
    [['run', 'a.zip', '--junitt', 'x'], 'facematch run has no option --junitt (did you mean --junit?). Run facematch run --help for the list.'],
    [['run', 'a.zip', '--token', 'x'], 'facematch run has no option --token. Run facematch run --help for the list.'],
    [['run', 'a.zip', '--out'], '--out needs a value, e.g. --out results.zip.'],
    [['run', 'a.zip', '--rate', '1', '--rate', '2'], '--rate is given twice; give it once.'],
    [['run', 'a.zip', '--help=yes'], '--help takes no value; write it alone.'],
    [['run', 'a.zip', '--provider', 'acme'], '--provider must be one of kwikid, kwikid-advanced, deepvue, facepp, hyperverge, karza, idfy, aws-rekognition or azure-face, not "acme"; for another API write a definition and give it with --provider-file.'],
    [['run', 'a.zip', '--base-url', 'not a url'], `--base-url "not a url" is not a URL. Give one like https://api.example.com or ${DEFAULT_BASE_URL}.`],
    [['run', 'a.zip', '--base-url', 'ftp://host'], '--base-url must start with http:// or https://, not ftp://.'],
    [['run', 'a.zip', '--base-url', 'https://u:p@host'], '--base-url must not hold a user name or password (flags show in process lists); put credentials in the environment (FACEMATCH_CRED_<KEY>, FACEMATCH_TOKEN or DEEPVUE_CLIENT_ID / DEEPVUE_CLIENT_SECRET).'],
    [['run', 'a.zip', '--base-url', 'https://host/x?token=1'], '--base-url must not have a query string or fragment; give only the origin and path, e.g. https://host/x.'],
    [['run', 'a.zip', '--concurrency', '0'], '--concurrency must be a whole number from 1 to 16 (calls in flight at once), not "0".'],
    [['run', 'a.zip', '--concurrency', '2.5'], '--concurrency must be a whole number from 1 to 16 (calls in flight at once), not "2.5".'],
    [['run', 'a.zip', '--rate', '0'], '--rate must be a whole number from 1 to 1000 (calls started per second), not "0".'],
    [['run', 'a.zip', '--rate', '2.5'], '--rate must be a whole number from 1 to 1000 (calls started per second), not "2.5".'],
    [['run', 'a.zip', '--timeout', '0.5'], '--timeout must be a number from 1 to 600 (seconds), not "0.5".'],
    [['run', 'a.zip', '--retries', '11'], '--retries must be a whole number from 0 to 10 (extra attempts after a transient failure), not "11".'],
    [['run', 'a.zip', '--shard', '2'], '--shard must look like I/N, e.g. --shard 2/3 for the second of three shards (or auto/3 with JOB_COMPLETION_INDEX set), not "2".'],
    [['run', 'a.zip', '--shard', '0/3'], '--shard 0/3: the shard number must be from 1 to 3.'],
    [['run', 'a.zip', '--shard', '4/3'], '--shard 4/3: the shard number must be from 1 to 3.'],
    [['run', 'a.zip', '--shard', '1/0'], '--shard 1/0: the number of shards must be 1 or more.'],
    [['run', 'a.zip', '--shard', 'auto/3'], '--shard auto/3 takes the shard number from JOB_COMPLETION_INDEX, which is not set. Set it (Kubernetes Indexed Jobs do) or write the number, e.g. --shard 1/3.'],
    [['run', 'a.zip', '--rate-store', 'redis://h:1'], '--rate-store shares a rate budget, so it needs --rate too, e.g. --rate 5 --rate-store redis://127.0.0.1:6379.'],
    [['run', 'a.zip', '--rate', '5', '--rate-store', 'http://h:1'], '--rate-store must start with redis:// or rediss://, not http://.'],
    [['run', 'a.zip', '--rate', '5', '--rate-store', 'localhost'], '--rate-store must be a Redis URL like redis://127.0.0.1:6379, not "localhost".'],
    [['run', 'a.zip', '--rate', '5', '--rate-store', 'redis://:pw@h:1'], '--rate-store must not hold a password (flags show in process lists); set FACEMATCH_REDIS_PASSWORD instead.'],
    [['run', 'a.zip', '--fail-under-accuracy', '1.5'], '--fail-under-accuracy must be a fraction from 0 to 1 (e.g. 0.95) or a percentage (e.g. 95%), not "1.5".'],
    [['merge', 'a.zip'], 'facematch merge needs at least two archives to join, e.g. facematch merge shard1.zip shard2.zip --out all.zip; only a.zip was given.'],
    [['merge', 'a.zip', 'b.zip', '--shard', '1/2'], 'facematch merge has no option --shard. Run facematch merge --help for the list.'],
    [['serve', '8080'], 'facematch serve takes no arguments (got 8080); set PORT or HOST in the environment instead, e.g. PORT=8081 facematch serve.'],
    [['launch'], '"launch" is not a facematch command. Use run, merge or serve (facematch --help lists them).'],
  ])('%j is refused with a sentence', (argv, sentence) => {
    expect(refusal(argv)).toBe(sentence);
  });

  it.each([
    [{ JOB_COMPLETION_INDEX: 'x' }, 'JOB_COMPLETION_INDEX must be a whole number from 0 to 2, not "x".'],
    [{ JOB_COMPLETION_INDEX: '3' }, 'JOB_COMPLETION_INDEX is 3, but --shard auto/3 has only 3 shards (indices 0 to 2). Make the job\'s completions equal N.'],
  ])('a bad JOB_COMPLETION_INDEX (%j) is refused with a sentence', (env, sentence) => {
    expect(refusal(['run', 'a.zip', '--shard', 'auto/3'], env)).toBe(sentence);
  });

  it('answers --help and --version', () => {
    expect(parseCommand([])).toEqual({ command: 'usage' });
    expect(parseCommand(['run', '--help'])).toEqual({ command: 'help', topic: 'run' });
    expect(parseCommand(['--version'])).toEqual({ command: 'version' });
  });
});

describe('credentials from the environment', () => {
  it('uses the demo values only against this machine, when none is set', () => {
    expect(credentialsFromEnv(kwikid, 'http://127.0.0.1:8080', {})).toEqual({ credentials: { token: 'demo-token' }, demo: true });
    expect(credentialsFromEnv(deepvue, 'http://localhost:8080', {})).toEqual({ credentials: { clientId: 'demo-client', clientSecret: 'demo-secret' }, demo: true });
    expect(credentialsFromEnv(kwikid, 'https://api.example.com', { FACEMATCH_TOKEN: 'tok-123' })).toEqual({ credentials: { token: 'tok-123' }, demo: false });
  });

  it('names the missing variable otherwise', () => {
    expect(() => credentialsFromEnv(kwikid, 'https://api.example.com', {})).toThrow(new UsageError('KwikID at https://api.example.com needs FACEMATCH_TOKEN in the environment (credentials are never read from flags), e.g. export FACEMATCH_TOKEN=...'));
    expect(() => credentialsFromEnv(deepvue, 'http://127.0.0.1:8080', { DEEPVUE_CLIENT_ID: 'me' })).toThrow(new UsageError('Deepvue at http://127.0.0.1:8080 needs DEEPVUE_CLIENT_SECRET in the environment (credentials are never read from flags), e.g. export DEEPVUE_CLIENT_SECRET=...'));
  });
});

describe('number flags follow the settings\' rules (core/setting-rules)', () => {
  // What the settings panel accepts for a field, the flag accepts with the same value; what the
  // panel refuses, the flag refuses with a sentence naming the flag and the range to give.
  const flags: [string, NumericSetting, (a: RunArgs) => number | undefined][] = [
    ['timeout', 'timeout', (a) => a.timeoutMs / 1000],
    ['retries', 'retries', (a) => a.retries],
    ['concurrency', 'concurrency', (a) => a.concurrency],
    ['rate', 'rate', (a) => a.rate],
  ];
  const typed = ['0', '1', '4', '4.0', '2.5', ' 30 ', '.5', '16', '17', '600', '601', '1000', '1001', '-1', '1e1', '0x10', 'abc', '10 s'];

  it.each(flags)('--%s accepts exactly what the %s setting accepts', (flag, field, read) => {
    for (const text of typed) {
      const setting = readNumericSetting(field, text);
      if (setting.ok) {
        expect(read(run('a.zip', `--${flag}`, text)), `--${flag} ${text}`).toBe(setting.value ?? undefined);
      } else {
        expect(refusal(['run', 'a.zip', `--${flag}`, text]), `--${flag} ${text}`).toMatch(new RegExp(`^--${flag} must be a (whole )?number from \\d+ to \\d+ \\(.+\\), not "${text.replace(/\./g, '\\.')}"\\.$`));
      }
    }
  });

  it('a refused number flag exits with code 2 and the sentence, nothing else', async () => {
    expect(await runCli(['run', 'a.zip', '--concurrency', '2.5'], '.')).toEqual({
      code: 2, stdout: '', stderr: 'facematch: --concurrency must be a whole number from 1 to 16 (calls in flight at once), not "2.5".\n',
    });
    expect(await runCli(['run', 'a.zip', '--timeout', '0.3'], '.')).toEqual({
      code: 2, stdout: '', stderr: 'facematch: --timeout must be a number from 1 to 600 (seconds), not "0.3".\n',
    });
  });
});
