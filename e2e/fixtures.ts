/**
 * Playwright fixtures: each test worker runs its own reference server in-process (the same app module as
 * `npm start`) serving the built app, and every page opens on it. Options are worker-scoped:
 *   test.use({ serverOptions: { engine: 'instant', faults: '500:0.1' } })
 */
import { test as base, expect } from '@playwright/test';
import path from 'node:path';
import { startServer } from '../server/main.ts';
import type { ServerConfig } from '../server/config.ts';
import { REPO_ROOT } from '../test/faces.ts';

export { expect };
export { FACES_DIR, facePath, readPairsCsv, buildFixturesZip, expectedVerdicts, pairStem, REPO_ROOT } from '../test/faces.ts';

export interface RunningServer {
  url: string;
  config: ServerConfig;
  close(): Promise<void>;
}

interface WorkerFixtures {
  serverOptions: Partial<ServerConfig>;
  server: RunningServer;
}

export const test = base.extend<{ baseURL: string }, WorkerFixtures>({
  serverOptions: [{}, { option: true, scope: 'worker' }],
  server: [
    async ({ serverOptions }, use) => {
      const running = await startServer({ port: 0, staticDir: path.join(REPO_ROOT, 'dist'), ...serverOptions });
      await use(running);
      await running.close();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  // Relative URLs (page.goto('/')) resolve against this worker's server.
  baseURL: async ({ server }, use) => use(server.url),
});
