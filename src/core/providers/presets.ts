/**
 * The provider presets that load with the page: KwikID and Deepvue (the defaults, ready before the
 * user acts), and the Provider select's list of every preset. The other presets' definitions are in
 * vendor-presets.ts, loaded on demand (contracts.ts `loadPresets`) so the first load does not carry them.
 * Each emulator of the reference server answers its preset's contract under `/emulate/<id>` (emulation.ts).
 */
import type { PresetId } from './emulation.ts';
import { DEFINITION_VERSION, type ProviderContract } from './types.ts';

export const MB = 1024 * 1024;
export const JPEG_PNG = ['image/jpeg', 'image/png'] as const;

/** Groups of the Provider select, in order. */
export const PROVIDER_GROUPS = ['KwikID', 'Identity platforms (India)', 'Cloud face APIs'] as const;

/** What the Provider select shows of a preset before its definition is loaded. */
export interface PresetEntry {
  id: PresetId;
  label: string;
  group: (typeof PROVIDER_GROUPS)[number];
}

/** Every preset's id, label and group, in the order of PRESET_IDS (each definition's label and group must match; a unit test checks). */
export const PRESET_ENTRIES: readonly PresetEntry[] = [
  { id: 'kwikid', label: 'KwikID', group: 'KwikID' },
  { id: 'kwikid-advanced', label: 'KwikID Advanced Facematch', group: 'KwikID' },
  { id: 'deepvue', label: 'Deepvue', group: 'Identity platforms (India)' },
  { id: 'facepp', label: 'Face++ Compare', group: 'Cloud face APIs' },
  { id: 'hyperverge', label: 'HyperVerge Face Match', group: 'Identity platforms (India)' },
  { id: 'karza', label: 'Karza Face Similarity', group: 'Identity platforms (India)' },
  { id: 'idfy', label: 'IDfy Face Compare', group: 'Identity platforms (India)' },
  { id: 'aws-rekognition', label: 'AWS Rekognition CompareFaces', group: 'Cloud face APIs' },
  { id: 'azure-face', label: 'Azure AI Face Verify', group: 'Cloud face APIs' },
];

export const kwikid: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'kwikid',
  label: 'KwikID',
  group: 'KwikID',
  path: '/facematch',
  imageFields: ['image1', 'image2'],
  uniqueIdField: 'unique_id',
  credentials: [{ key: 'token', label: 'Bearer token', secret: true }],
  headers: [{ name: 'Authorization', from: 'token', prefix: 'Bearer ' }],
  verdict: { path: ['facematch_result'], matchValue: 'True' },
  confidence: { path: ['confidence_score'], scale: 1 },
  noFace: [{ status: [422], path: [], contains: 'no face' }],
  credits: { path: ['credits_consumed'] },
  errorMessagePaths: [['message'], ['msg'], ['detail']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 15 * MB,
  demoBasePath: '',
};

export const deepvue: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'deepvue',
  label: 'Deepvue',
  group: 'Identity platforms (India)',
  path: '/v1/facematch',
  imageFields: ['file_a', 'file_b'],
  credentials: [
    { key: 'clientId', label: 'Client ID', secret: false },
    { key: 'clientSecret', label: 'Client secret', secret: true },
    { key: 'token', label: 'Bearer token', secret: true },
  ],
  headers: [
    { name: 'Authorization', from: 'token', prefix: 'Bearer ' },
    { name: 'x-api-key', from: 'clientSecret' },
  ],
  tokenEndpoint: {
    path: '/v1/authorize',
    fields: { clientId: 'client_id', clientSecret: 'client_secret' },
    tokenPath: ['access_token'],
    expiryPath: ['expiry'],
  },
  verdict: { path: ['data', 'match'], matchValue: true },
  confidence: { path: ['data', 'confidence'], scale: 100 },
  noFace: [{ status: [422], path: [], contains: 'no face' }],
  transactionIdPath: ['transaction_id'],
  reportFields: [
    { header: 'confidence', path: ['data', 'confidence'], numFmt: '0.00', width: 12 },
    { header: 'transaction_id', path: ['transaction_id'], width: 38 },
  ],
  errorMessagePaths: [['message'], ['detail']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 15 * MB,
  demoBasePath: '',
};
