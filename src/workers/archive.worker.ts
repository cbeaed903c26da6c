/**
 * Builds the bulk results ZIP off the main thread, so the page stays responsive while thousands of
 * JSON files are compressed. Receives an ArchiveRequest (the contract by id), answers with the ZIP
 * bytes (buffer transferred) or a message.
 */
import { errorText } from '../core/text.ts';
import { contractById } from '../core/contracts.ts';
import { buildResultsZip } from '../core/report.ts';
import type { ArchiveRequest, ArchiveResponse } from '../core/archive-client.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ArchiveRequest>) => void) | null;
  postMessage(message: ArchiveResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { id, input } = event.data;
  void (async () => {
    try {
      const { contractId, ...rest } = input;
      const bytes = await buildResultsZip({ ...rest, contract: contractById(contractId) });
      const buffer = bytes.buffer as ArrayBuffer;
      scope.postMessage({ id, ok: true, bytes: buffer, byteOffset: bytes.byteOffset, byteLength: bytes.byteLength }, [buffer]);
    } catch (err) {
      scope.postMessage({ id, ok: false, message: errorText(err) });
    }
  })();
};
