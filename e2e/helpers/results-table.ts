/**
 * Page object for the Bulk results table ("Finished pairs") as a user works in it: rows, cells by
 * column name, the filters, the pair-id search and a row's detail dialog. Role and label locators
 * only. `test` adds it as the `results` fixture.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import JSZip from 'jszip';
import { test as base } from '../fixtures.ts';

export class ResultsTablePage {
  readonly table: Locator;
  readonly body: Locator;
  readonly rows: Locator;
  readonly filters: Locator;
  readonly search: Locator;
  readonly detail: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('grid', { name: 'Finished pairs' });
    this.body = this.table.getByRole('rowgroup', { name: 'Finished pairs, scrollable' });
    this.rows = this.body.getByRole('row');
    this.filters = page.getByRole('group', { name: 'Show' });
    this.search = page.getByRole('searchbox', { name: 'Search pair id' });
    this.detail = page.getByRole('dialog');
  }

  /** The row of this pair id. */
  row(pair: string): Locator {
    return this.rows.filter({ has: this.page.getByText(pair, { exact: true }) });
  }

  /** The column headers' names, in order. */
  async columns(): Promise<string[]> {
    return (await this.table.getByRole('columnheader').allTextContents()).map((t) => t.trim());
  }

  /** Each shown row as column name → cell text. */
  async cellsByColumn(): Promise<Record<string, string>[]> {
    const names = await this.columns();
    // One round trip for every row's cells (a row-by-row read is slow on a busy machine).
    const rows = await this.rows.evaluateAll((els) => els.map((r) => [...r.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent ?? '')));
    return rows.map((cells) => Object.fromEntries(names.map((n, i) => [n, (cells[i] ?? '').trim()])));
  }

  /** The pair ids of the shown rows, in order. */
  async shownPairs(): Promise<string[]> {
    return (await this.cellsByColumn()).map((r) => r.Pair!);
  }

  /** One figure of the open row detail ("HTTP status", "Expected", "Outcome"). */
  detailFigure(label: string): Locator {
    return this.detail.getByText(label, { exact: true }).locator('xpath=following-sibling::dd');
  }

  async expectRowCount(n: number): Promise<void> {
    await expect(this.rows).toHaveCount(n);
  }
}

/**
 * A results archive of `n` KwikID records (results/p00001.json …), built at test time, to reopen
 * with "Open results": a big table without running n calls.
 */
export async function resultsArchive(n: number): Promise<Buffer> {
  const zip = new JSZip();
  for (let i = 1; i <= n; i++) {
    const id = `p${String(i).padStart(5, '0')}`;
    const score = ((i * 37) % 100) / 100;
    zip.file(`results/${id}.json`, JSON.stringify({
      pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg`, success: true, http_status: 200,
      response_time_ms: 100 + (i % 50), body: { facematch_result: score >= 0.5 ? 'True' : 'False', confidence_score: score }, attempts: 1,
    }));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
}

/** The worker's fixtures plus the results table page object. */
export const test = base.extend<{ results: ResultsTablePage }>({
  results: async ({ page }, use) => use(new ResultsTablePage(page)),
});
