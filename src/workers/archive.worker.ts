/**
 * Builds the bulk results ZIP off the main thread, so the page stays responsive while thousands of
 * JSON files are compressed. Receives ArchiveRequests (the contract as data): a whole build, or a
 * stream (begin, add…, finish: archive-stream.ts) written as the run goes. Answers a build or a
 * finish with the ZIP bytes (buffer transferred) or a message.
 */
import { errorText } from '../core/common/text.ts';

import { openArchiveStream, type ArchiveStream } from '../core/archive/archive-stream.ts';
import { buildResultsZip } from '../core/archive/report.ts';
import type { ArchiveRequest, ArchiveResponse } from '../core/archive/archive-client.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ArchiveRequest>) => void) | null;
  postMessage(message: ArchiveResponse, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

const reply = async (id: number, build: () => Promise<Uint8Array>) => {
  try {
    const bytes = await build();
    const buffer = bytes.buffer as ArrayBuffer;
    scope.postMessage({ id, ok: true, bytes: buffer, byteOffset: bytes.byteOffset, byteLength: bytes.byteLength }, [buffer]);
  } catch (err) {
    scope.postMessage({ id, ok: false, message: errorText(err) });
  }
};

/** The streams in progress, each step chained after the one before (a failure is answered at finish). */
const streams = new Map<number, Promise<ArchiveStream>>();
const keep = (id: number, stream: Promise<ArchiveStream>) => {
  stream.catch(() => {});
  streams.set(id, stream);
};

scope.onmessage = (event) => {
  const msg = event.data;
  if (msg.kind === 'build') {
    void reply(msg.id, () => buildResultsZip(msg.input));
  } else if (msg.kind === 'begin') {
    keep(msg.id, openArchiveStream(msg.begin));
  } else if (msg.kind === 'add') {
    const stream = streams.get(msg.id);
    if (stream) keep(msg.id, stream.then((s) => { s.add(msg.records); return s; }));
  } else {
    const stream = streams.get(msg.id);
    streams.delete(msg.id);
    void reply(msg.id, async () => {
      if (!stream) throw new Error('The archive stream was not started.');
      return (await stream).finish(msg.end);
    });
  }
};
