/**
 * Bulk pre-flight: what the loaded ZIP's pairs look like before anything is sent — screen state.
 *
 * When a ZIP loads (load(zip)), every image's first bytes are sniffed in batches, after the load
 * and between frames, so a 10,000-pair ZIP shows its list at once and the flags arrive as they
 * are found. "Check faces" asks the reference server's detector (POST /faces on the page's own
 * origin) about every image, with progress and Stop, and is offered only when that server is
 * there. Both kinds of flag join one list; "Exclude flagged pairs" turns all of them into the
 * job's `excluded` map (core/pairing/preflight.ts), so each excluded pair gets its not_run record.
 * Platform-bound pieces come in through PreflightDeps, so the store is unit-tested without a browser.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { checkFaces } from '../core/faces/face-check.ts';
import { detectFaces, facesAvailable, facesToken, type FacesReport } from '../core/faces/faces.ts';
import type { SniffedType } from '../core/zip/filetype.ts';
import { contentFlagReason, excludedFromFlags, type PairFlag } from '../core/pairing/preflight.ts';
import type { ImagePart } from '../core/request/request.ts';
import type { OpenedZip } from '../core/zip/zip.ts';
import { selectContract, useSettingsStore } from './settings.ts';

type Flags = ReadonlyMap<number, readonly PairFlag[]>;

export type FaceCheckStatus = 'idle' | 'checking' | 'done' | 'stopped';

export interface FaceCheckState {
  status: FaceCheckStatus;
  /** Pairs looked at so far, of `total`. */
  done: number;
  total: number;
  /** Pairs the detector could not answer for (unreadable image, the server stopped answering). */
  unknown: number;
}

export interface PreflightState {
  zip: OpenedZip | null;
  /** Pairs whose two images' contents were sniffed, of zip.pairs.length. */
  contentDone: number;
  /** Flags by pair index (content first, then faces); only flagged pairs are in it. */
  flags: Flags;
  /** Pairs with an entry that could not be read to sniff it (not flagged: the run records why). */
  unreadable: ReadonlySet<number>;
  /** "Exclude flagged pairs" is ticked. */
  exclude: boolean;
  /** The reference server's face detector answers at the page's own origin: "Check faces" is offered. */
  facesAvailable: boolean;
  faceCheck: FaceCheckState;

  /** A new ZIP (or none): everything is reset and its contents are sniffed. */
  load: (zip: OpenedZip | null) => void;
  /**
   * Holds the content check between batches (on) or lets it go on (off): a Bulk run that is making
   * its calls holds it, so the page's work for the list never sits between the run's answers.
   */
  hold: (on: boolean) => void;
  setExclude: (on: boolean) => void;
  checkFaces: () => Promise<void>;
  stopFaces: () => void;
  /**
   * The job's `excluded` map for a run: every flagged pair when "Exclude flagged pairs" is ticked
   * (after the content check has finished, so no flag is missed), else undefined.
   */
  excludedForRun: () => Promise<ReadonlyMap<number, string> | undefined>;
}

export interface PreflightDeps {
  /** Whether the reference server's face detector is at the page's own origin (asked once). */
  facesAvailable?: () => Promise<boolean>;
  /** The detector for one image; null when it cannot say. */
  detect?: (part: ImagePart, signal: AbortSignal) => Promise<FacesReport | null>;
  /** Pairs sniffed between two yields to the page. */
  batchSize?: number;
  /** Lets the page paint and handle input between batches. */
  yieldToPage?: () => Promise<void>;
}

/** Pairs sniffed between two yields: a 10,000-pair ZIP is 50 short tasks. */
export const SNIFF_BATCH = 200;

const IDLE_CHECK: FaceCheckState = { status: 'idle', done: 0, total: 0, unknown: 0 };

/** How many pairs are flagged (content or faces). */
export const selectFlaggedCount = (s: PreflightState): number => s.flags.size;
/** True while the contents of the loaded pairs are still being sniffed. */
export const selectContentChecking = (s: PreflightState): boolean => s.zip !== null && s.contentDone < s.zip.pairs.length;
export const selectFacesChecking = (s: PreflightState): boolean => s.faceCheck.status === 'checking';

export type PreflightStore = UseBoundStore<StoreApi<PreflightState>>;

const SOURCE_ORDER: Record<PairFlag['source'], number> = { content: 0, faces: 1 };

function addFlags(flags: Flags, found: readonly PairFlag[]): Flags {
  const next = new Map(flags);
  for (const f of found) next.set(f.index, [...(next.get(f.index) ?? []), f].sort((a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source]));
  return next;
}

function dropSource(flags: Flags, source: PairFlag['source']): Flags {
  const next = new Map<number, readonly PairFlag[]>();
  for (const [index, list] of flags) {
    const kept = list.filter((f) => f.source !== source);
    if (kept.length) next.set(index, kept);
  }
  return next;
}

export function createPreflightStore(deps: PreflightDeps = {}): PreflightStore {
  const batchSize = Math.max(1, deps.batchSize ?? SNIFF_BATCH);
  const yieldToPage = deps.yieldToPage ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  /** Bumped by every load: work for an older ZIP stops and its results are dropped. */
  let seq = 0;
  let contentCheck: Promise<void> = Promise.resolve();
  let faceController: AbortController | null = null;
  let probe: Promise<boolean> | null = null;
  /** Resolves when the hold is let go; null when not held. */
  let held: { until: Promise<void>; release: () => void } | null = null;

  return create<PreflightState>()((set, get) => {
    async function sniffAll(zip: OpenedZip, mine: number): Promise<void> {
      const sniffEntry = zip.sniffEntry?.bind(zip);
      const total = zip.pairs.length;
      if (!sniffEntry) {
        set({ contentDone: total });
        return;
      }
      const typeOf = (path: string): Promise<SniffedType | null> => sniffEntry(path).catch(() => null);
      for (let start = 0; start < total; start += batchSize) {
        if (start > 0) await yieldToPage();
        while (held) await held.until;
        if (mine !== seq) return;
        const end = Math.min(total, start + batchSize);
        const found: PairFlag[] = [];
        const unread: number[] = [];
        for (let index = start; index < end; index++) {
          const pair = zip.pairs[index]!;
          const [a, b] = await Promise.all([typeOf(pair.image1_path), typeOf(pair.image2_path)]);
          // An entry that cannot be read is not flagged: the run records why it could not be sent.
          if (a === null || b === null) {
            unread.push(index);
            continue;
          }
          const reason = contentFlagReason(pair, [a, b]);
          if (reason) found.push({ index, pair_id: pair.pair_id, source: 'content', reason });
        }
        if (mine !== seq) return;
        set((st) => ({
          contentDone: end,
          ...(found.length ? { flags: addFlags(st.flags, found) } : {}),
          ...(unread.length ? { unreadable: new Set([...st.unreadable, ...unread]) } : {}),
        }));
      }
    }

    return {
      zip: null,
      contentDone: 0,
      flags: new Map(),
      unreadable: new Set(),
      exclude: false,
      facesAvailable: false,
      faceCheck: IDLE_CHECK,

      load: (zip) => {
        const mine = ++seq;
        faceController?.abort();
        faceController = null;
        set({ zip, contentDone: 0, flags: new Map(), unreadable: new Set(), exclude: false, faceCheck: IDLE_CHECK });
        if (!zip) {
          contentCheck = Promise.resolve();
          return;
        }
        contentCheck = sniffAll(zip, mine).catch(() => {
          if (mine === seq) set({ contentDone: zip.pairs.length });
        });
        if (!probe && deps.facesAvailable && deps.detect) {
          probe = deps.facesAvailable().catch(() => false);
          void probe.then((available) => { if (available) set({ facesAvailable: true }); });
        }
      },

      hold: (on) => {
        if (on && !held) {
          let release!: () => void;
          const until = new Promise<void>((resolve) => { release = resolve; });
          held = { until, release };
        } else if (!on && held) {
          const was = held;
          held = null;
          was.release();
        }
      },

      setExclude: (on) => set({ exclude: on }),

      checkFaces: async () => {
        const { zip, facesAvailable: available, faceCheck } = get();
        if (!zip || !available || !deps.detect || faceCheck.status === 'checking' || zip.pairs.length === 0) return;
        const mine = seq;
        const controller = new AbortController();
        faceController = controller;
        const total = zip.pairs.length;
        set((st) => ({ faceCheck: { status: 'checking', done: 0, total, unknown: 0 }, flags: dropSource(st.flags, 'faces') }));
        const result = await checkFaces({
          pairs: zip.pairs,
          readPair: (pair) => zip.readPair(pair),
          detect: deps.detect,
          signal: controller.signal,
          onProgress: (done) => {
            if (mine === seq) set((s) => ({ faceCheck: { ...s.faceCheck, done } }));
          },
        });
        if (mine !== seq) return;
        faceController = null;
        set((s) => ({
          flags: addFlags(s.flags, result.flags),
          faceCheck: { status: result.stopped ? 'stopped' : 'done', done: s.faceCheck.done, total, unknown: result.unknown },
        }));
      },

      stopFaces: () => faceController?.abort(),

      excludedForRun: async () => {
        if (!get().exclude) return undefined;
        await contentCheck;
        const s = get();
        if (!s.exclude || s.flags.size === 0) return undefined;
        return excludedFromFlags([...s.flags.values()].flat());
      },
    };
  });
}

/** The app's one pre-flight store: the face detector on the page's own origin, with the token Single uses. */
export const usePreflightStore = createPreflightStore({
  facesAvailable: () => (typeof location === 'undefined' ? Promise.resolve(false) : facesAvailable(location.origin)),
  detect: (part, signal) => {
    if (typeof location === 'undefined') return Promise.resolve(null);
    const s = useSettingsStore.getState();
    const token = facesToken({ contract: selectContract(s), baseUrl: s.baseUrl, token: s.credentials.token ?? '' }, location.origin);
    return detectFaces(part.data, part.name, { pageOrigin: location.origin, token, signal });
  },
});
