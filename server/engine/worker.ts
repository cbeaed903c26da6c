/**
 * Engine worker thread: loads face-api once, then turns image bytes into the descriptor of the
 * largest face, one request at a time. Started by pool.ts with tsx's loader (see there).
 */
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeRgb } from './decode.ts';
import { loadFaceApi, type FaceApi } from './faceapi.ts';
import { describeImage, warmUp } from './pipeline.ts';
import type { DescribeRequest, ImageResult, WorkerMessage, WorkerSetup } from './protocol.ts';

if (!parentPort) throw new Error('server/engine/worker.ts must run in a worker thread.');
const port = parentPort;
const setup = workerData as WorkerSetup;

// One libvips thread per worker: the pool already runs one worker per core.
sharp.concurrency(1);
sharp.cache(false);

function send(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

async function handle(faceapi: FaceApi, req: DescribeRequest): Promise<void> {
  try {
    const t0 = performance.now();
    const decoded = await decodeRgb(req.bytes, setup.maxSide);
    if (!decoded.ok) return send({ type: 'result', id: req.id, result: { kind: 'undecodable', message: decoded.message } });
    const t1 = performance.now();
    const found = await describeImage(faceapi, decoded.image, setup.detector);
    const timing = { decodeMs: t1 - t0, detectMs: performance.now() - t1 };
    const result: ImageResult = found.kind === 'face' ? { ...found, ...timing } : { kind: 'no_face', ...timing };
    send({ type: 'result', id: req.id, result }, found.kind === 'face' ? [found.descriptor.buffer as ArrayBuffer] : []);
  } catch (err) {
    send({ type: 'failed', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
}

try {
  const faceapi = await loadFaceApi(
    setup.detector === 'ssd'
      ? ['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet']
      : ['tinyFaceDetector', 'ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet'],
  );
  await warmUp(faceapi, setup.detector);
  // Requests are handled strictly one after another (the pool sends one at a time anyway).
  let chain = Promise.resolve();
  port.on('message', (req: DescribeRequest) => {
    chain = chain.then(() => handle(faceapi, req));
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'load_failed', message: err instanceof Error ? err.message : String(err) });
}
