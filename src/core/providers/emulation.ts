/**
 * The offline emulators of the vendor presets: where the reference server answers each one, and the
 * demo credentials it accepts. The server's emulator routes, the provider presets' defaults (pre-filled
 * only while the Base URL is the page's own origin) and the tests all read these.
 */

/** Every preset the playground ships, in the order the Provider select lists them. */
export const PRESET_IDS = [
  'kwikid', 'kwikid-advanced', 'deepvue', 'facepp', 'hyperverge', 'karza', 'idfy', 'aws-rekognition', 'azure-face',
] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** Prefix under which the reference server emulates a preset: `/emulate/<id>` + the vendor's own path. */
export const EMULATOR_PREFIX = '/emulate';

/** Base URL path of a preset's emulator on the reference server, e.g. `/emulate/facepp`. */
export function emulatorBasePath(id: PresetId): string {
  return `${EMULATOR_PREFIX}/${id}`;
}

/**
 * Demo credentials each emulator accepts (a wrong value is rejected the way that vendor rejects it).
 * Keys are the presets' credential keys; the CLI reads each from `FACEMATCH_CRED_<KEY>` (upper snake case).
 */
export const PRESET_DEMO_CREDENTIALS: Readonly<Record<PresetId, Readonly<Record<string, string>>>> = {
  kwikid: { token: 'demo-token' },
  'kwikid-advanced': { token: 'demo-token' },
  deepvue: { client_id: 'demo-client', client_secret: 'demo-secret' },
  facepp: { api_key: 'demo-facepp-key', api_secret: 'demo-facepp-secret' },
  hyperverge: { app_id: 'demo-hv-app', app_key: 'demo-hv-key' },
  karza: { api_key: 'demo-karza-key' },
  idfy: { account_id: 'demo-idfy-account', api_key: 'demo-idfy-key' },
  'aws-rekognition': {
    access_key_id: 'AKIDEMOFACEMATCH0000',
    secret_access_key: 'demo-aws-secret-access-key',
    region: 'us-east-1',
  },
  'azure-face': { api_key: 'demo-azure-key' },
};
