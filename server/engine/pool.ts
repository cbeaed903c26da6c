/**
 * A fixed set of worker threads and a FIFO queue handing each image to the next free worker.
 *
 * Starting a TypeScript worker: the worker file is `worker.ts`, located with
 * `new URL('./worker.ts', import.meta.url)` and loaded through tsx's `tsImport` API from a one-line
 * eval bootstrap (see bootstrap()), so it does not depend on how the parent was started.
 * Checked hosts: tsx (`npx tsx`, as `npm start` / `npm run serve` run server/main.ts), Vitest
 * (forks pool, no tsx in the parent), a Playwright test process importing the engine in-process,
 * and Vite's `ssrLoadModule('/server/engine/index.ts')` with the project's vite.config (Vite keeps
 * `import.meta.url` pointing at the real file on disk). If `import.meta.url` is ever not a file: URL (a bundled or virtual module),
 * the path is resolved from the package root instead.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DescribeRequest, ImageResult, WorkerMessage, WorkerSetup } from './protocol.ts';

const require = createRequire(import.meta.url);

function workerUrl(): URL {
  const here = new URL('./worker.ts', import.meta.url);
  if (here.protocol === 'file:' && existsSync(fileURLToPath(here))) return here;
  const root = path.dirname(require.resolve('../../package.json'));
  return pathToFileURL(path.join(root, 'server', 'engine', 'worker.ts'));
}

/** File URL of tsx's ESM API (`tsx/esm/api`, import condition), read from tsx's own exports map. */
function tsxEsmApi(): string {
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  const entry = pkg.exports['./esm/api']?.import.default;
  if (!entry) throw new Error('tsx has no "./esm/api" export; cannot start the TypeScript engine worker.');
  return pathToFileURL(path.join(path.dirname(pkgPath), entry)).href;
}

/**
 * The worker's entry: a one-line bootstrap that imports worker.ts through tsx's `tsImport`.
 * (Passing `--import tsx` in the worker's execArgv, or inheriting it from a tsx parent, does not
 * apply tsx's hooks to a worker's entry module on Node 20: "Unknown file extension .ts".)
 */
function bootstrap(): string {
  const target = JSON.stringify(workerUrl().href);
  return `import(${JSON.stringify(tsxEsmApi())}).then(({ tsImport }) => tsImport(${target}, ${target}));`;
}

interface Task {
  bytes: Uint8Array;
  kind: DescribeRequest['task'];
  resolve: (r: ImageResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: { id: number; task: Task } | null;
}

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readyCount = 0;
  private settleReady!: { resolve: () => void; reject: (e: Error) => void };
  /** Resolves when every worker has loaded its models; rejects on the first that fails. */
  readonly ready: Promise<void>;

  constructor(private readonly size: number, private readonly setup: WorkerSetup) {
    this.ready = new Promise<void>((resolve, reject) => { this.settleReady = { resolve, reject }; });
    this.ready.catch(() => undefined);
    for (let i = 0; i < size; i++) this.spawn();
  }

  /** Queues one image; resolves with the worker's answer. Rejects only if a worker dies or the pool closes. */
  run(bytes: Uint8Array, kind: DescribeRequest['task'] = 'describe'): Promise<ImageResult> {
    if (this.closed) return Promise.reject(new Error('The face engine is closed.'));
    return new Promise<ImageResult>((resolve, reject) => {
      this.queue.push({ bytes, kind, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('The face engine was closed.');
    for (const t of this.queue.splice(0)) t.reject(err);
    const slots = [...this.slots];
    this.slots.clear();
    for (const s of slots) s.task?.task.reject(err);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): void {
    const worker = new Worker(bootstrap(), { eval: true, workerData: this.setup });
    const slot: Slot = { worker, ready: false, task: null };
    this.slots.add(slot);
    worker.on('message', (msg: WorkerMessage) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onDeath(slot, err.message));
    worker.on('exit', (code) => this.onDeath(slot, `exited with code ${code}`));
  }

  private onMessage(slot: Slot, msg: WorkerMessage): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      if (++this.readyCount === this.size) this.settleReady.resolve();
      this.dispatch();
    } else if (msg.type === 'load_failed') {
      this.settleReady.reject(new Error(`A face engine worker could not load its models: ${msg.message}`));
      void this.close();
    } else if (slot.task && slot.task.id === msg.id) {
      const { task } = slot.task;
      slot.task = null;
      if (msg.type === 'result') task.resolve(msg.result);
      else task.reject(new Error(`Face engine worker failed: ${msg.message}`));
      this.dispatch();
    }
  }

  private onDeath(slot: Slot, why: string): void {
    if (!this.slots.has(slot)) return;
    this.slots.delete(slot);
    slot.task?.task.reject(new Error(`A face engine worker stopped (${why}).`));
    if (this.closed) return;
    if (!slot.ready) {
      // Died while loading: the engine cannot become ready.
      this.settleReady.reject(new Error(`A face engine worker stopped while loading (${why}).`));
      void this.close();
      return;
    }
    // Replace it; the other workers keep serving meanwhile.
    this.readyCount--;
    this.spawn();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift()!;
      const id = this.nextId++;
      slot.task = { id, task };
      // Own copy of the bytes (a plain Uint8Array: Buffer#slice would be a view), so the caller's
      // buffer is never detached by the transfer.
      const bytes = new Uint8Array(task.bytes);
      const req: DescribeRequest = { id, bytes, task: task.kind };
      slot.worker.postMessage(req, [bytes.buffer]);
    }
  }
}
