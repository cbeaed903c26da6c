import { create } from 'zustand';

export type Mode = 'single' | 'bulk';

interface AppState {
  mode: Mode;
  /** True while a run is in flight: the mode cannot change under it. */
  modeLocked: boolean;
  setMode: (mode: Mode) => void;
  setModeLocked: (locked: boolean) => void;
}

/** Which panel is showing. Switching is refused while a run is in flight (the mode's Run control locks it). */
export const useAppStore = create<AppState>()((set, get) => ({
  mode: 'single',
  modeLocked: false,
  setMode: (mode) => {
    if (!get().modeLocked) set({ mode });
  },
  setModeLocked: (modeLocked) => set({ modeLocked }),
}));
