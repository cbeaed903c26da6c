/** What bench/pages/bench-page.ts exposes on `window.benchApi`, for the Node side's page.evaluate. */

export interface ZipOpenTiming {
  /** ms for openZip(bytes) (our central-directory pass + pairing), or for JSZip.loadAsync alone. */
  ms: number;
  /** Pairs found (openZip) or entries seen (JSZip). */
  count: number;
}

export interface ArchiveTiming {
  /** ms for buildArchiveInWorker(10k records), from call to resolved bytes. */
  ms: number;
  bytes: number;
  /** Longest 'longtask' entry that overlapped the build, in ms (0 when none ≥ 50 ms was reported). */
  longestTaskMs: number;
  longTasks: number;
}

export interface BenchApi {
  /** Fetches a ZIP from the bench server and keeps its bytes; returns its size. */
  loadZip(url: string): Promise<number>;
  openZipOnce(): Promise<ZipOpenTiming>;
  jszipOnce(): Promise<ZipOpenTiming>;
  archiveOnce(records: number): Promise<ArchiveTiming>;
  /**
   * Makes every default level of every perturbation of each image (number arrays: JPEG bytes)
   * `runs` times through the app's variant worker (lib/variant-worker.ts), after one warm-up
   * round; returns each variant's ms, from the request to the bytes back on the page.
   */
  variantsInWorker(images: number[][], runs: number): Promise<number[]>;
  /** Runs a deliberate 120 ms task and returns the longest long task the observer reported (self-check). */
  probeLongTask(): Promise<number>;
}

declare global {
  interface Window {
    benchApi?: BenchApi;
  }
}
