/**
 * Page object for the Bulk finished panel's Evaluation and "Compare with a previous run"
 * sections (role and label locators only), and the archive helpers those specs share.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import JSZip from 'jszip';
import { finishedPanel } from './app.ts';
import { test as base } from '../fixtures.ts';

export type Counts = { tp: number; fn: number; fp: number; tn: number; errors: number };

export class EvaluationSection {
  readonly region: Locator;
  readonly slider: Locator;
  readonly compare: Locator;

  constructor(readonly page: Page) {
    this.region = finishedPanel(page).getByRole('region', { name: 'Evaluation' });
    this.slider = this.region.getByRole('slider', { name: 'Threshold (what-if)' });
    this.compare = finishedPanel(page).getByRole('region', { name: 'Compare with a previous run' });
  }

  /** The confusion matrix with this caption ("At the API's decision", "At threshold 0.25"). */
  matrix(name: string): Locator {
    return this.region.getByRole('table', { name, exact: true });
  }

  /** Checks the matrix shows these counts (TP/FN/FP/TN cells and the errors cell). */
  async expectMatrix(name: string, c: Counts): Promise<void> {
    const t = this.matrix(name);
    await expect(t.getByRole('row', { name: /^Same person/ }).getByRole('cell')).toHaveText([`TP ${c.tp}`, `FN ${c.fn}`, String(c.errors)]);
    await expect(t.getByRole('row', { name: /^Different people/ }).getByRole('cell')).toHaveText([`FP ${c.fp}`, `TN ${c.tn}`]);
  }

  /** The value shown beside the slider. */
  thresholdValue(): Locator {
    return this.region.locator('output');
  }

  async setThreshold(value: string): Promise<void> {
    await this.slider.fill(value);
    await expect(this.thresholdValue()).toHaveText(value);
  }

  /** Clicks the finished panel's Download button and waits for the file. */
  async download(): Promise<Buffer> {
    const downloadPromise = this.page.waitForEvent('download');
    await finishedPanel(this.page).getByRole('button', { name: /^Download facematch-bulk-/ }).click();
    const d = await downloadPromise;
    const { readFile } = await import('node:fs/promises');
    return readFile(await d.path());
  }
}

/** results/*.json of an archive, by entry name. */
export async function archiveRecords(bytes: Buffer): Promise<Map<string, Record<string, unknown>>> {
  const zip = await JSZip.loadAsync(bytes);
  const out = new Map<string, Record<string, unknown>>();
  for (const f of Object.values(zip.files)) {
    if (/^results\/[^/]+\.json$/.test(f.name)) out.set(f.name, JSON.parse(await f.async('string')) as Record<string, unknown>);
  }
  return out;
}

/** Counts of outcomes for KwikID records with expected labels, at the API's decision or at a threshold. */
export function countsOf(records: Iterable<Record<string, unknown>>, threshold: number | null = null): Counts {
  const c: Counts = { tp: 0, fn: 0, fp: 0, tn: 0, errors: 0 };
  for (const r of records) {
    const body = r.body as { facematch_result?: string; confidence_score?: number } | undefined;
    if (!r.success || !body || body.facematch_result === undefined) {
      c.errors++;
      continue;
    }
    const match = threshold === null ? body.facematch_result === 'True' : (body.confidence_score ?? -1) >= threshold;
    if (r.expected === 'same') c[match ? 'tp' : 'fn']++;
    else c[match ? 'fp' : 'tn']++;
  }
  return c;
}

/** The worker's fixtures plus the Evaluation page object. */
export const test = base.extend<{ evaluation: EvaluationSection }>({
  evaluation: async ({ page }, use) => use(new EvaluationSection(page)),
});
