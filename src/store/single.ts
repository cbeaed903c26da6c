/**
 * Single mode: two image slots, one call, one result.
 *
 * The slots hold the chosen File and its sniffed type; previews (object URLs) belong to the
 * component that shows them, so they are revoked when it unmounts. The call goes through
 * `callFacematch` with the settings read fresh at Run.
 */
import { create } from 'zustand';
import { readVerdict, type ProviderContract, type Verdict } from '../core/contracts.ts';
import { describeType, formatBytes, isAcceptedImage, sniffBlob, type SniffedType } from '../core/filetype.ts';
import { callFacematch, type CallResult, type CallSettings } from '../core/request.ts';
import { useSettingsStore } from './settings.ts';

export type SlotIndex = 0 | 1;

export interface Slot {
  file: File;
  name: string;
  size: number;
  /** null while the first bytes are being read. */
  type: SniffedType | null;
}

/** What a finished call was made with, to describe its result. */
export interface SingleOutcome {
  result: CallResult;
  contract: ProviderContract;
  uniqueId?: string;
  verdict: Verdict | null;
}

export type SingleStatus = 'idle' | 'running' | 'done';

export interface SingleState {
  slots: readonly [Slot | null, Slot | null];
  status: SingleStatus;
  /** performance.now() when the current call started. */
  startedAt: number | null;
  outcome: SingleOutcome | null;
  controller: AbortController | null;

  setFile: (index: SlotIndex, file: File) => Promise<void>;
  clearSlot: (index: SlotIndex) => void;
  run: () => Promise<void>;
  cancel: () => void;
  /** Drops the result (e.g. before a new run). */
  clearResult: () => void;
}

export interface SingleDeps {
  callSettings: () => CallSettings;
  call?: typeof callFacematch;
  pageOrigin?: () => string | undefined;
}

export const selectSingleCanRun = (s: SingleState): boolean => s.slots[0] !== null && s.slots[1] !== null;
export const selectSingleBusy = (s: SingleState): boolean => s.status === 'running';

/**
 * A non-blocking warning for a slot: bytes that are not JPEG/PNG, or a file over the contract's limit.
 * Null when the file looks fine (or is still being read).
 */
export function slotWarning(contract: ProviderContract, index: SlotIndex, slot: Slot | null): string | null {
  if (!slot || slot.type === null) return null;
  const field = contract.imageFields[index];
  const problems: string[] = [];
  if (!isAcceptedImage(slot.type)) problems.push(`is ${article(describeType(slot.type))}, not a JPEG or PNG`);
  if (slot.size > contract.maxImageBytes) {
    problems.push(`is ${formatBytes(slot.size)}, over the ${formatBytes(contract.maxImageBytes)} ${contract.label} accepts`);
  }
  if (!problems.length) return null;
  return `${field}: ${slot.name} ${problems.join(' and ')}. The API will probably reject it; run anyway to see its answer.`;
}

function article(phrase: string): string {
  if (/data$/.test(phrase)) return phrase;
  return /^[aeiou]/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** "0.8731 (87.3 %)" for 0–1 contracts, "87.5 / 100 (87.5 %)" for 0–100 ones. */
export function formatConfidence(contract: ProviderContract, verdict: Verdict): string | null {
  if (verdict.rawConfidence === null || verdict.confidence === null) return null;
  const pct = `${(verdict.confidence * 100).toFixed(1)} %`;
  if (contract.confidence.scale === 1) return `${verdict.rawConfidence.toFixed(4)} (${pct})`;
  const raw = Number.isInteger(verdict.rawConfidence) ? String(verdict.rawConfidence) : verdict.rawConfidence.toFixed(1);
  return `${raw} / ${contract.confidence.scale} (${pct})`;
}

export function createSingleStore(deps: SingleDeps) {
  const call = deps.call ?? callFacematch;
  return create<SingleState>()((set, get) => ({
    slots: [null, null],
    status: 'idle',
    startedAt: null,
    outcome: null,
    controller: null,

    setFile: async (index, file) => {
      const slot: Slot = { file, name: file.name, size: file.size, type: null };
      set((s) => ({ slots: replaceSlot(s.slots, index, slot) }));
      let type: SniffedType;
      try {
        type = await sniffBlob(file);
      } catch {
        type = 'unknown';
      }
      // Only update if the slot still holds this file (it may have been replaced or cleared meanwhile).
      if (get().slots[index]?.file !== file) return;
      set((s) => ({ slots: replaceSlot(s.slots, index, { ...slot, type }) }));
    },

    clearSlot: (index) => set((s) => ({ slots: replaceSlot(s.slots, index, null) })),

    run: async () => {
      const s = get();
      const [a, b] = s.slots;
      if (!a || !b || s.status === 'running') return;
      const settings = deps.callSettings();
      const controller = new AbortController();
      set({ status: 'running', startedAt: performance.now(), controller, outcome: null });
      const result = await call(
        settings,
        [{ name: a.name, data: a.file }, { name: b.name, data: b.file }],
        controller.signal,
        { pageOrigin: deps.pageOrigin?.() },
      );
      set({
        status: 'done',
        startedAt: null,
        controller: null,
        outcome: {
          result,
          contract: settings.contract,
          uniqueId: settings.uniqueId,
          verdict: result.ok ? readVerdict(settings.contract, result.body) : null,
        },
      });
    },

    cancel: () => get().controller?.abort(),

    clearResult: () => {
      if (get().status !== 'running') set({ outcome: null, status: 'idle' });
    },
  }));
}

function replaceSlot(slots: SingleState['slots'], index: SlotIndex, slot: Slot | null): SingleState['slots'] {
  return index === 0 ? [slot, slots[1]] : [slots[0], slot];
}

/** The app's one Single-mode store. */
export const useSingleStore = createSingleStore({
  callSettings: () => useSettingsStore.getState().callSettings(),
  pageOrigin: () => (typeof location !== 'undefined' ? location.origin : undefined),
});
