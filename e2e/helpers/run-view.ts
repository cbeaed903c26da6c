/**
 * The Bulk run view as a user sees it, as a page object: the progress card (live counts, the pair
 * in flight), the results table (rows, filters, "Follow new rows") and the finished panel. Plus
 * `holdCalls`, which keeps chosen /facematch calls waiting (answered by the real server once
 * released), so a test can look at a run in flight without depending on timing.
 */
import { expect, type Locator, type Page, type Route } from '@playwright/test';

export class RunView {
  readonly progress: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly filters: Locator;
  readonly follow: Locator;
  readonly finished: Locator;

  constructor(readonly page: Page) {
    this.progress = page.getByRole('region', { name: 'Bulk run progress' });
    this.table = page.getByRole('grid', { name: 'Finished pairs' });
    this.rows = this.table.getByRole('rowgroup', { name: 'Finished pairs, scrollable' }).getByRole('row');
    this.filters = page.getByRole('group', { name: 'Show' });
    this.follow = page.getByRole('checkbox', { name: 'Follow new rows' });
    this.finished = page.getByRole('region', { name: 'Bulk run result' });
  }

  /** A live count of the progress card ("Succeeded", "Failed", "Matches", "Non-matches"). */
  count(label: string): Locator {
    return this.progress.getByText(label, { exact: true }).locator('xpath=following-sibling::dd');
  }

  async expectCounts(counts: Record<string, number>): Promise<void> {
    for (const [label, n] of Object.entries(counts)) await expect(this.count(label)).toHaveText(String(n));
  }

  row(pair: string): Locator {
    return this.rows.filter({ has: this.page.getByRole('gridcell', { name: pair, exact: true }) });
  }

  filter(label: string): Locator {
    return this.filters.getByRole('button', { name: new RegExp(`^${label} \\(`) });
  }

  /** The rows' pair ids, as shown. */
  async shownPairs(): Promise<string[]> {
    return this.rows.locator('[role="gridcell"]:first-child').allTextContents();
  }

  /** Scrolls the table up with the mouse wheel, as a user does. */
  async wheelUp(): Promise<void> {
    await this.table.getByRole('rowgroup', { name: 'Finished pairs, scrollable' }).hover();
    await this.page.mouse.wheel(0, -2000);
  }
}

export interface HeldCalls {
  /** Resolves when the call of this pair has reached the API route (and is held). */
  arrived(stem: string): Promise<void>;
  release(stem: string): void;
  releaseAll(): void;
}

/** Holds each /facematch call whose image1 belongs to a stem `hold` picks, until it is released. */
export async function holdCalls(page: Page, hold: (stem: string) => boolean): Promise<HeldCalls> {
  const gates = new Map<string, { arrived: () => void; arrivedP: Promise<void>; release: () => void; released: Promise<void> }>();
  let all = false;
  const gate = (stem: string) => {
    let g = gates.get(stem);
    if (!g) {
      let arrived!: () => void;
      let release!: () => void;
      const arrivedP = new Promise<void>((r) => { arrived = r; });
      const released = new Promise<void>((r) => { release = r; });
      g = { arrived, arrivedP, release, released };
      gates.set(stem, g);
    }
    return g;
  };
  await page.route((url) => url.pathname === '/facematch', async (route: Route) => {
    const body = route.request().postDataBuffer()?.toString('latin1') ?? '';
    const stem = /filename="(?:[^"]*\/)?([^"/]+)_image1\.[^"]+"/.exec(body)?.[1] ?? '';
    if (stem && hold(stem) && !all) {
      const g = gate(stem);
      g.arrived();
      await g.released;
    }
    const response = await route.fetch();
    await route.fulfill({ response });
  });
  return {
    arrived: (stem) => gate(stem).arrivedP,
    release: (stem) => gate(stem).release(),
    releaseAll: () => {
      all = true;
      for (const g of gates.values()) g.release();
    },
  };
}
