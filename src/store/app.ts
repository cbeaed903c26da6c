import { create } from 'zustand';

export type Mode = 'single' | 'bulk';

interface AppState {
  mode: Mode;
  setMode: (mode: Mode) => void;
}

/** Which panel is showing. Switching is refused while a bulk run is in flight (the Bulk store guards it). */
export const useAppStore = create<AppState>()((set) => ({
  mode: 'single',
  setMode: (mode) => set({ mode }),
}));
