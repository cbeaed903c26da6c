/**
 * A sweep's variants made in a module Web Worker (src/workers/variants.worker.ts), running the
 * same perturb.ts as the CLI, so the page stays responsive and the bytes are the CLI's. The worker
 * (and image-js with it) is loaded on the first variant of a run, never on the first page load.
 * Where no worker can start (Node, a content-security policy), the variants are made in this
 * thread instead: the same code, the same bytes.
 */
import { inThreadMaker, type VariantMaker } from '../core/sweep/variants.ts';
import type { VariantSpec } from '../core/sweep/spec.ts';
import { ensureBuffer } from './buffer-global.ts';

export type VariantRequest = { id: number; bytes: Uint8Array; variant: VariantSpec };
export type VariantResponse =
  | { id: number; ok: true; bytes: ArrayBuffer; byteOffset: number; byteLength: number; format: 'jpeg' | 'png' }
  | { id: number; ok: false; message: string };

export interface ClosableMaker {
  make: VariantMaker;
  /** Ends the worker (the run is over); a later variant starts a new one. */
  close(): void;
}

function startWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    return new Worker(new URL('../workers/variants.worker.ts', import.meta.url), { type: 'module', name: 'facematch-variants' });
  } catch {
    return null;
  }
}

/** One worker for a run's variants, requests answered by id; errors come back as the perturbation's sentence. */
export function workerMaker(): ClosableMaker {
  let worker: Worker | null | undefined;
  let fallback: VariantMaker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: { bytes: Uint8Array; format: 'jpeg' | 'png' }) => void; reject: (e: Error) => void; request: VariantRequest }>();

  const here = (): VariantMaker => {
    if (fallback) return fallback;
    const made = inThreadMaker();
    return (fallback = async (bytes, v) => {
      await ensureBuffer();
      return made(bytes, v);
    });
  };
  /** The worker could not load or died: what it still owed is made here. */
  const broken = () => {
    worker?.terminate();
    worker = null;
    const owed = [...waiting.values()];
    waiting.clear();
    for (const w of owed) here()(w.request.bytes, w.request.variant).then(w.resolve, w.reject);
  };
  const open = (): Worker | null => {
    if (worker !== undefined) return worker;
    worker = startWorker();
    if (!worker) return null;
    worker.onmessage = (event: MessageEvent<VariantResponse>) => {
      const msg = event.data;
      const w = waiting.get(msg.id);
      if (!w) return;
      waiting.delete(msg.id);
      if (msg.ok) w.resolve({ bytes: new Uint8Array(msg.bytes, msg.byteOffset, msg.byteLength), format: msg.format });
      else w.reject(new Error(msg.message));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      broken();
    };
    return worker;
  };

  return {
    make: (bytes, variant) => {
      const w = open();
      if (!w) return here()(bytes, variant);
      const id = nextId++;
      const request: VariantRequest = { id, bytes, variant: { perturbation: variant.perturbation, level: variant.level } };
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject, request });
        try {
          w.postMessage(request);
        } catch {
          waiting.delete(id);
          here()(bytes, variant).then(resolve, reject);
        }
      });
    },
    close: () => {
      worker?.terminate();
      worker = undefined;
      for (const w of waiting.values()) w.reject(new Error('was not made: the run ended'));
      waiting.clear();
    },
  };
}
