/**
 * The offline emulators of the vendor presets, each under `/emulate/<preset id>` + the vendor's own
 * path, with the real engine behind them and the demo credentials of src/core/providers/emulation.ts.
 */
import { Hono } from 'hono';
import type { PresetId } from '../../../src/core/providers/emulation.ts';
import type { RouteDeps } from '../deps.ts';
import { AWS_HEADERS_SIGNED, awsRekognitionRoutes, REKOGNITION_PATH, REKOGNITION_TARGET } from './aws-rekognition.ts';
import { AZURE_DETECT_PATH, AZURE_KEY_HEADER, AZURE_VERIFY_PATH, azureFaceRoutes } from './azure-face.ts';
import { FACEPP_PATH, faceppRoutes } from './facepp.ts';
import { HYPERVERGE_HEADERS, HYPERVERGE_PATH, hypervergeRoutes } from './hyperverge.ts';
import { IDFY_HEADERS, IDFY_PATH, idfyRoutes } from './idfy.ts';
import { KARZA_KEY_HEADER, KARZA_PATH, karzaRoutes } from './karza.ts';
import { KWIKID_ADVANCED_PATH, kwikidAdvancedRoutes } from './kwikid-advanced.ts';
import { demoCredentials, emulatedPath } from './shared.ts';

export interface EmulatorInfo {
  id: PresetId;
  /** The vendor's name, for the start-up banner. */
  label: string;
  /** Method and vendor path(s), in call order. */
  calls: readonly string[];
  /** How the demo credentials are sent, e.g. "headers appId, appKey". */
  auth: string;
  /** Request headers a browser on another origin must be allowed to send (CORS). */
  headers: readonly string[];
}

export const EMULATORS: readonly EmulatorInfo[] = [
  { id: 'kwikid-advanced', label: 'KwikID Advanced', calls: [`POST ${KWIKID_ADVANCED_PATH}`], auth: 'Authorization: Bearer, the KwikID token', headers: [] },
  { id: 'facepp', label: 'Face++', calls: [`POST ${FACEPP_PATH}`], auth: 'form fields', headers: [] },
  { id: 'hyperverge', label: 'HyperVerge', calls: [`POST ${HYPERVERGE_PATH}`], auth: `headers ${HYPERVERGE_HEADERS.appId}, ${HYPERVERGE_HEADERS.appKey} (+ ${HYPERVERGE_HEADERS.transactionId})`, headers: Object.values(HYPERVERGE_HEADERS) },
  { id: 'karza', label: 'Karza', calls: [`POST ${KARZA_PATH}`], auth: `header ${KARZA_KEY_HEADER}`, headers: [KARZA_KEY_HEADER] },
  { id: 'idfy', label: 'IDfy', calls: [`POST ${IDFY_PATH}`], auth: `headers ${IDFY_HEADERS.accountId}, ${IDFY_HEADERS.apiKey}`, headers: Object.values(IDFY_HEADERS) },
  { id: 'aws-rekognition', label: 'AWS Rekognition', calls: [`POST ${REKOGNITION_PATH} (X-Amz-Target: ${REKOGNITION_TARGET})`], auth: 'SigV4, service rekognition', headers: AWS_HEADERS_SIGNED },
  { id: 'azure-face', label: 'Azure Face', calls: [`POST ${AZURE_DETECT_PATH}?returnFaceId=true`, `POST ${AZURE_VERIFY_PATH}`], auth: `header ${AZURE_KEY_HEADER}`, headers: [AZURE_KEY_HEADER] },
];

/** Every header the emulators read, for the API's CORS allow-list. */
export const EMULATOR_REQUEST_HEADERS: readonly string[] = [...new Set(EMULATORS.flatMap((e) => e.headers))];

/** The banner's lines: each emulator's Base URL, its calls and its public demo credentials. */
export function emulatorBannerLines(baseUrl: string, kwikidTokenIsDemo: boolean): string[] {
  const width = Math.max(...EMULATORS.map((e) => e.label.length)) + 2;
  return EMULATORS.map((e) => {
    // KwikID Advanced takes the KwikID token, which FACEMATCH_TOKEN may have replaced: never print a set one.
    const creds = e.id === 'kwikid-advanced' && !kwikidTokenIsDemo
      ? 'token set from FACEMATCH_TOKEN'
      : Object.entries(demoCredentials(e.id)).map(([k, v]) => `${k}=${v}`).join('  ');
    return `    ${`${e.label}:`.padEnd(width)} Base URL ${baseUrl}${emulatedPath(e.id, '')}  (${e.calls.join(', then ')}; ${e.auth})  ${creds}`;
  });
}

export function emulatorRoutes(deps: RouteDeps): Hono {
  const app = new Hono();
  app.route('/', kwikidAdvancedRoutes(deps));
  app.route('/', faceppRoutes(deps));
  app.route('/', hypervergeRoutes(deps));
  app.route('/', karzaRoutes(deps));
  app.route('/', idfyRoutes(deps));
  app.route('/', awsRekognitionRoutes(deps));
  app.route('/', azureFaceRoutes(deps));
  return app;
}
