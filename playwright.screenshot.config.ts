import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './scripts/browser-path.mjs';

/** `npm run screenshot`: only e2e/screenshot.spec.ts, same build step and fixtures as the e2e suite. */
export default defineConfig({
  testDir: './e2e',
  testMatch: 'screenshot.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  timeout: 180_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: 'list',
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
  },
});
