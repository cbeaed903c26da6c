/**
 * Loads the vendor presets' definitions on demand (a separate chunk in the browser), so the first
 * page load carries only KwikID, Deepvue and the Provider select's list.
 */
import { contractById, isContractLoaded, registerPresets, type ProviderContract } from '../contracts/contracts.ts';
import { PRESET_IDS } from './emulation.ts';

let loading: Promise<void> | undefined;

/** Loads and registers the vendor presets; resolves at once when they are loaded. */
export function loadPresets(): Promise<void> {
  loading ??= import('./vendor-presets.ts').then((m) => registerPresets(m.VENDOR_PRESETS));
  return loading;
}

/** A definition by id, loading the vendor presets first when it is one of them. */
export async function loadContract(id: string): Promise<ProviderContract> {
  if (!isContractLoaded(id) && (PRESET_IDS as readonly string[]).includes(id)) await loadPresets();
  return contractById(id);
}
