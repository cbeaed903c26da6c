/**
 * Browser-side entry point for building the results archive: runs report.ts in a module Web
 * Worker (src/workers/archive.worker.ts) and falls back to building in this thread when Worker is
 * unavailable (Node tests) or the worker fails to start.
 */
import type { ReportInput } from './report.ts';

/** What the worker receives: the contract travels by id and is looked up with contractById. */
export type ArchiveRequestInput = Omit<ReportInput, 'contract'> & { contractId: string };
export interface ArchiveRequest {
  id: number;
  input: ArchiveRequestInput;
}
export type ArchiveResponse =
  | { id: number; ok: true; bytes: ArrayBuffer; byteOffset: number; byteLength: number }
  | { id: number; ok: false; message: string };

/** `facematch-bulk-<ms>.zip`, as in the Playground document. */
export function archiveFileName(now: number = Date.now()): string {
  return `facematch-bulk-${Math.floor(now)}.zip`;
}

async function buildInThread(input: ReportInput): Promise<Uint8Array> {
  const { buildResultsZip } = await import('./report.ts');
  return buildResultsZip(input);
}

let nextId = 1;

/** Builds summary.xlsx + results/*.json as ZIP bytes, in a worker when the platform has one. */
export function buildArchiveInWorker(input: ReportInput): Promise<Uint8Array> {
  if (typeof Worker === 'undefined') return buildInThread(input);
  let worker: Worker;
  try {
    worker = new Worker(new URL('../workers/archive.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return buildInThread(input);
  }
  const id = nextId++;
  const { contract, ...rest } = input;
  const request: ArchiveRequest = { id, input: { ...rest, contractId: contract.id } };
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      worker.terminate();
    };
    worker.onmessage = (event: MessageEvent<ArchiveResponse>) => {
      const msg = event.data;
      if (settled || msg.id !== id) return;
      finish();
      if (msg.ok) resolve(new Uint8Array(msg.bytes, msg.byteOffset, msg.byteLength));
      else reject(new Error(`The results archive could not be built: ${msg.message}`));
    };
    // The worker could not load (e.g. a content-security policy): build here instead.
    worker.onerror = (event) => {
      if (settled) return;
      event.preventDefault();
      finish();
      buildInThread(input).then(resolve, reject);
    };
    try {
      worker.postMessage(request);
    } catch {
      // Not cloneable (should not happen with plain records): build here instead.
      finish();
      buildInThread(input).then(resolve, reject);
    }
  });
}
