/**
 * The vendor presets other than KwikID and Deepvue: definitions of the face-match APIs that KYC
 * teams evaluate, as data (the same format a user writes; see types.ts and docs/providers.md).
 * Loaded on demand (contracts.ts `loadPresets`), never with the first page load.
 */
import { emulatorBasePath } from './emulation.ts';
import { JPEG_PNG, MB } from './presets.ts';
import { DEFINITION_VERSION, type AnswerRule, type ProviderContract } from './types.ts';

/** An answer (any status) whose body says no face was found, in the words vendors use. */
const SAYS_NO_FACE: readonly AnswerRule[] = [
  { path: [], contains: 'no face' },
  { path: [], contains: 'face not detected' },
  { path: [], contains: 'face not found' },
];

export const kwikidAdvanced: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'kwikid-advanced',
  label: 'KwikID Advanced Facematch',
  group: 'KwikID',
  path: '/advanced_facematch',
  imageFields: ['image1', 'image2'],
  uniqueIdField: 'unique_id',
  credentials: [{ key: 'token', label: 'Bearer token', secret: true }],
  headers: [{ name: 'Authorization', from: 'token', prefix: 'Bearer ' }],
  verdict: { path: ['image1_image2_facematch', 'result'], matchValue: 'true' },
  confidence: { path: ['image1_image2_facematch', 'confidence'], scale: 1 },
  noFace: SAYS_NO_FACE.map((r) => ({ ...r, status: [400, 422] })),
  reportFields: [
    { header: 'overall_result', path: ['overall_result'], width: 16 },
    { header: 'image1_result', path: ['image1', 'result'], width: 14 },
    { header: 'image2_result', path: ['image2', 'result'], width: 14 },
  ],
  errorMessagePaths: [['message'], ['msg'], ['detail']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 15 * MB,
  demoBasePath: emulatorBasePath('kwikid-advanced'),
};

export const facepp: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'facepp',
  label: 'Face++ Compare',
  group: 'Cloud face APIs',
  path: '/facepp/v3/compare',
  imageFields: ['image_file1', 'image_file2'],
  request: {
    encoding: 'multipart',
    fields: [{ name: 'image_file1', value: '{{image1}}' }, { name: 'image_file2', value: '{{image2}}' }],
  },
  credentials: [
    { key: 'api_key', label: 'API key', secret: false },
    { key: 'api_secret', label: 'API secret', secret: true },
  ],
  headers: [],
  authFields: [{ name: 'api_key', from: 'api_key' }, { name: 'api_secret', from: 'api_secret' }],
  verdict: {},
  confidence: { path: ['confidence'], scale: 100 },
  threshold: { path: ['thresholds', '1e-4'] },
  noFace: [{ status: [200], path: ['confidence'], empty: true }, ...SAYS_NO_FACE],
  transactionIdPath: ['request_id'],
  reportFields: [
    { header: 'confidence', path: ['confidence'], numFmt: '0.000', width: 12 },
    { header: 'request_id', path: ['request_id'], width: 38 },
  ],
  errorMessagePaths: [['error_message'], ['message']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 2 * MB,
  demoBasePath: emulatorBasePath('facepp'),
};

export const hyperverge: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'hyperverge',
  label: 'HyperVerge Face Match',
  group: 'Identity platforms (India)',
  path: '/v1/matchFace',
  imageFields: ['selfie', 'id'],
  request: {
    encoding: 'multipart',
    fields: [{ name: 'selfie', value: '{{image1}}' }, { name: 'id', value: '{{image2}}' }],
    headers: [{ name: 'transactionId', value: '{{uuid}}' }],
  },
  credentials: [
    { key: 'app_id', label: 'App ID', secret: false },
    { key: 'app_key', label: 'App key', secret: true },
  ],
  headers: [{ name: 'appId', from: 'app_id' }, { name: 'appKey', from: 'app_key' }],
  // HyperVerge answers yes/no with a high/low confidence and no number: no score, the confidence is a column.
  verdict: { path: ['result', 'details', 'match', 'value'], matchValue: 'yes' },
  noFace: SAYS_NO_FACE,
  transactionIdPath: ['metadata', 'transactionId'],
  reportFields: [
    { header: 'match_value', path: ['result', 'details', 'match', 'value'], width: 12 },
    { header: 'match_confidence', path: ['result', 'details', 'match', 'confidence'], width: 16 },
  ],
  errorMessagePaths: [['error'], ['message'], ['result', 'error']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 6 * MB,
  demoBasePath: emulatorBasePath('hyperverge'),
};

export const karza: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'karza',
  label: 'Karza Face Similarity',
  group: 'Identity platforms (India)',
  path: '/v3/facesimilarity',
  imageFields: ['image1B64', 'image2B64'],
  request: {
    encoding: 'json',
    json: { image1B64: '{{image1.base64}}', image2B64: '{{image2.base64}}' },
  },
  credentials: [{ key: 'api_key', label: 'API key', secret: true }],
  headers: [{ name: 'x-karza-key', from: 'api_key' }],
  success: { path: ['statusCode'], equals: '101' },
  verdict: { path: ['result', 'match'], matchValue: true },
  confidence: { path: ['result', 'matchScore'], scale: 100 },
  noFace: SAYS_NO_FACE,
  transactionIdPath: ['requestId'],
  reportFields: [
    { header: 'statusCode', path: ['statusCode'], width: 10 },
    { header: 'matchScore', path: ['result', 'matchScore'], numFmt: '0.00', width: 12 },
    { header: 'requestId', path: ['requestId'], width: 38 },
  ],
  errorMessagePaths: [['error'], ['message'], ['statusMessage']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 5 * MB,
  demoBasePath: emulatorBasePath('karza'),
};

export const idfy: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'idfy',
  label: 'IDfy Face Compare',
  group: 'Identity platforms (India)',
  path: '/v3/tasks/sync/compare/face',
  imageFields: ['document1', 'document2'],
  request: {
    encoding: 'json',
    json: {
      task_id: '{{uuid}}',
      group_id: '{{uuid}}',
      data: { document1: '{{image1.base64}}', document2: '{{image2.base64}}' },
    },
  },
  credentials: [
    { key: 'account_id', label: 'Account ID', secret: false },
    { key: 'api_key', label: 'API key', secret: true },
  ],
  headers: [{ name: 'account-id', from: 'account_id' }, { name: 'api-key', from: 'api_key' }],
  verdict: { path: ['result', 'is_a_match'], matchValue: true },
  confidence: { path: ['result', 'match_score'], scale: 100 },
  noFace: SAYS_NO_FACE,
  transactionIdPath: ['request_id'],
  reportFields: [
    { header: 'match_score', path: ['result', 'match_score'], numFmt: '0.00', width: 12 },
    { header: 'request_id', path: ['request_id'], width: 38 },
  ],
  errorMessagePaths: [['message'], ['error'], ['detail']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 5 * MB,
  demoBasePath: emulatorBasePath('idfy'),
};

export const awsRekognition: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'aws-rekognition',
  label: 'AWS Rekognition CompareFaces',
  group: 'Cloud face APIs',
  path: '/',
  imageFields: ['SourceImage', 'TargetImage'],
  request: {
    encoding: 'json',
    json: {
      SourceImage: { Bytes: '{{image1.base64}}' },
      TargetImage: { Bytes: '{{image2.base64}}' },
      SimilarityThreshold: 0,
    },
    headers: [
      { name: 'X-Amz-Target', value: 'RekognitionService.CompareFaces' },
      { name: 'Content-Type', value: 'application/x-amz-json-1.1' },
    ],
  },
  credentials: [
    { key: 'access_key_id', label: 'Access key ID', secret: false },
    { key: 'secret_access_key', label: 'Secret access key', secret: true },
    { key: 'session_token', label: 'Session token', secret: true, optional: true },
    { key: 'region', label: 'Region', secret: false },
  ],
  headers: [],
  signing: { kind: 'aws-sigv4', service: 'rekognition' },
  verdict: {},
  confidence: { path: ['FaceMatches', '0', 'Similarity'], scale: 100 },
  threshold: { value: 80 },
  noFace: [
    { status: [400], path: ['__type'], contains: 'InvalidParameterException' },
    { status: [200], path: ['FaceMatches'], empty: true },
  ],
  reportFields: [
    { header: 'Similarity', path: ['FaceMatches', '0', 'Similarity'], numFmt: '0.000', width: 12 },
  ],
  errorMessagePaths: [['message'], ['Message']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 5 * MB,
  demoBasePath: emulatorBasePath('aws-rekognition'),
};

export const azureFace: ProviderContract = {
  version: DEFINITION_VERSION,
  id: 'azure-face',
  label: 'Azure AI Face Verify',
  group: 'Cloud face APIs',
  path: '/face/v1.0/verify',
  imageFields: ['image1', 'image2'],
  steps: [
    { id: 'detect1', path: '/face/v1.0/detect?returnFaceId=true', request: { encoding: 'octet', octet: '{{image1}}' }, capture: { faceId: ['0', 'faceId'] } },
    { id: 'detect2', path: '/face/v1.0/detect?returnFaceId=true', request: { encoding: 'octet', octet: '{{image2}}' }, capture: { faceId: ['0', 'faceId'] } },
  ],
  request: {
    encoding: 'json',
    json: { faceId1: '{{steps.detect1.faceId}}', faceId2: '{{steps.detect2.faceId}}' },
  },
  credentials: [{ key: 'api_key', label: 'Subscription key', secret: true }],
  headers: [{ name: 'Ocp-Apim-Subscription-Key', from: 'api_key' }],
  verdict: { path: ['isIdentical'], matchValue: true },
  confidence: { path: ['confidence'], scale: 1 },
  threshold: { value: 0.5 },
  noFace: SAYS_NO_FACE,
  errorMessagePaths: [['error', 'message'], ['message']],
  acceptedTypes: [...JPEG_PNG],
  maxImageBytes: 6 * MB,
  demoBasePath: emulatorBasePath('azure-face'),
};

/** The presets this module defines. */
export const VENDOR_PRESETS: readonly ProviderContract[] = [kwikidAdvanced, facepp, hyperverge, karza, idfy, awsRekognition, azureFace];
