/**
 * Loads @vladmandic/face-api's node-wasm build in the current thread, with the tfjs WASM backend
 * and the model weights read from the installed packages on disk (nothing is fetched).
 * Used by each engine worker, and by the benchmark's main-thread baseline.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FaceApiTypes from '@vladmandic/face-api';
import type * as TfTypes from '@tensorflow/tfjs';
import type * as WasmTypes from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

export type FaceApi = typeof FaceApiTypes;
export type NetName = 'ssdMobilenetv1' | 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceRecognitionNet';

/** The weights shipped inside the face-api package. */
export const MODEL_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
/** The .wasm binaries shipped inside tfjs-backend-wasm (the trailing separator is required by setWasmPaths). */
export const WASM_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;

export function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

export async function loadFaceApi(nets: readonly NetName[]): Promise<FaceApi> {
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  // Same module instance face-api itself requires (no nested copy under face-api/node_modules).
  const tf = require('@tensorflow/tfjs') as typeof TfTypes;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof WasmTypes;
  wasm.setWasmPaths(WASM_DIR);
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is "${tf.getBackend()}", expected "wasm".`);
  for (const net of nets) await faceapi.nets[net].loadFromDisk(MODEL_DIR);
  return faceapi;
}
