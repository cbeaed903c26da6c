/**
 * Engine worker thread: loads face-api once, then turns image bytes into the faces found and the
 * descriptor of the largest, one request at a time. Started by pool.ts with tsx's loader (see there).
 */
import { errorText } from '../../src/core/common/text.ts';
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { decodeRgb } from './decode.ts';
import { loadFaceApi, type NetName } from './faceapi.ts';
import { loadBlazeFace } from './blazeface.ts';
import { CHAINS, describeImage, warmUp, type Detectors, type FaceBox } from './pipeline.ts';
import type { DescribeRequest, ImageResult, WorkerMessage, WorkerSetup } from './protocol.ts';

if (!parentPort) throw new Error('server/engine/worker.ts must run in a worker thread.');
const port = parentPort;
const setup = workerData as WorkerSetup;
const chain = CHAINS[setup.chain];

// One libvips thread per worker: the pool already runs one worker per core.
sharp.concurrency(1);
sharp.cache(false);

function send(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

function scaled(box: FaceBox, s: number): FaceBox {
  return { x: box.x * s, y: box.y * s, width: box.width * s, height: box.height * s, score: box.score };
}

async function handle(detectors: Detectors, req: DescribeRequest): Promise<void> {
  try {
    const t0 = performance.now();
    const decoded = await decodeRgb(req.bytes, setup.maxSide);
    if (!decoded.ok) return send({ type: 'result', id: req.id, result: { kind: 'undecodable', message: decoded.message } });
    const t1 = performance.now();
    const found = await describeImage(detectors, decoded.image, chain, req.task === 'describe', undefined, setup.prepare);
    // Boxes go back in pixels of the upright original (the decoder may have shrunk it).
    const s = decoded.original.width / decoded.image.width;
    const common = {
      width: decoded.original.width,
      height: decoded.original.height,
      faces: found.faces.map((f) => scaled(f, s)),
      used: found.used,
      step: found.step,
      decodeMs: t1 - t0,
      detectMs: performance.now() - t1,
    };
    const result: ImageResult = found.kind === 'face' ? { kind: 'face', descriptor: found.descriptor, ...common } : { kind: 'no_face', ...common };
    send({ type: 'result', id: req.id, result }, found.kind === 'face' ? [found.descriptor.buffer as ArrayBuffer] : []);
  } catch (err) {
    send({ type: 'failed', id: req.id, message: errorText(err) });
  }
}

try {
  const nets = new Set<NetName>(['faceLandmark68Net', 'faceRecognitionNet']);
  for (const step of chain) {
    if (step.detector === 'tiny') nets.add('tinyFaceDetector');
    if (step.detector === 'ssd') nets.add('ssdMobilenetv1');
  }
  const faceapi = await loadFaceApi([...nets]);
  const detectors: Detectors = { faceapi, ...(chain.some((s) => s.detector === 'blaze') ? { blaze: await loadBlazeFace() } : {}) };
  await warmUp(detectors, chain);
  // Requests are handled strictly one after another (the pool sends one at a time anyway).
  let queue = Promise.resolve();
  port.on('message', (req: DescribeRequest) => {
    queue = queue.then(() => handle(detectors, req));
  });
  send({ type: 'ready' });
} catch (err) {
  send({ type: 'load_failed', message: errorText(err) });
}
