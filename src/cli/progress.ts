/**
 * Run progress: a bar (cli-progress) on a terminal; on anything else (CI logs, pipes) one plain
 * line every N records and one at the end, so logs stay short.
 */
import cliProgress from 'cli-progress';
import type { PairRecord } from '../core/run/records.ts';

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export interface Progress {
  /** One final record. */
  record(rec: PairRecord): void;
  /** Ends the bar (or prints the last plain line). */
  stop(): void;
}

/** Lines of plain progress for a run of `total` pairs: one every 5 %, at least every pair for small runs. */
export function plainEvery(total: number): number {
  return Math.max(1, Math.ceil(total / 20));
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(total: number, stream: ProgressStream, now: () => number = () => performance.now()): Progress {
  const started = now();
  let done = 0;
  let failures = 0;
  const rate = () => {
    const secs = (now() - started) / 1000;
    return secs > 0 ? done / secs : 0;
  };

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({
      format: 'facematch {bar} {value}/{total} pairs | {rate}/s | ETA {eta_formatted} | {failures} failed',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
      stream: stream as unknown as NodeJS.WritableStream,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { rate: '0.0', failures: 0 });
    return {
      record(rec) {
        done++;
        if (!rec.success) failures++;
        bar.update(done, { rate: rate().toFixed(1), failures });
      },
      stop() {
        bar.stop();
      },
    };
  }

  const every = plainEvery(total);
  let lastLine = -1;
  const line = () => {
    lastLine = done;
    const r = rate();
    const eta = r > 0 && done < total ? `, ETA ${formatDuration(((total - done) / r) * 1000)}` : '';
    const pct = total ? Math.floor((done / total) * 100) : 100;
    stream.write(`facematch: ${done}/${total} pairs (${pct}%), ${r.toFixed(1)} pairs/s${eta}, ${failures} failed\n`);
  };
  return {
    record(rec) {
      done++;
      if (!rec.success) failures++;
      if (done % every === 0 || done === total) line();
    },
    stop() {
      if (lastLine !== done) line();
    },
  };
}
