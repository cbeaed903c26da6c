/**
 * Makes a robustness sweep's variants off the main thread: perturb.ts, the code the CLI runs, so a
 * variant's bytes are the same in both. Receives VariantRequests (one image, one perturbation and
 * level) and answers with the encoded image (buffer transferred) or the problem's sentence.
 */
import { perturbImage } from '../core/sweep/perturb.ts';
import { errorText } from '../core/common/text.ts';
import { ensureBuffer } from '../lib/buffer-global.ts';
import type { VariantRequest, VariantResponse } from '../lib/variant-worker.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<VariantRequest>) => unknown) | null;
  postMessage(message: VariantResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

const ready = ensureBuffer();

scope.onmessage = async (event) => {
  const { id, bytes, variant } = event.data;
  try {
    await ready;
    const out = perturbImage(bytes, variant.perturbation, variant.level);
    const buffer = out.bytes.buffer as ArrayBuffer;
    scope.postMessage({ id, ok: true, bytes: buffer, byteOffset: out.bytes.byteOffset, byteLength: out.bytes.byteLength, format: out.format }, [buffer]);
  } catch (err) {
    scope.postMessage({ id, ok: false, message: errorText(err) });
  }
};
