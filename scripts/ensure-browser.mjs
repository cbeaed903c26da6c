#!/usr/bin/env node
// Finds a Chromium for Playwright, installing Debian's when none is present, so `npm test` needs nothing else.
// Order: PLAYWRIGHT_CHROMIUM_PATH, Playwright's own downloaded browser, /usr/bin/chromium, then `apt-get install chromium`.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { DEBIAN_CHROMIUM, findChromium } from './browser-path.mjs';

const found = findChromium();
if (found) {
  console.log(`Browser for the tests: ${found}`);
  process.exit(0);
}

console.log(`No Chromium found (Playwright's own at ${chromium.executablePath()} is absent). Installing Debian's chromium…`);
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = asRoot ? '' : 'sudo ';
try {
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`, { stdio: 'inherit' });
} catch {
  // Fall through to the message below.
}
if (existsSync(DEBIAN_CHROMIUM)) {
  console.log(`Installed ${DEBIAN_CHROMIUM}.`);
  process.exit(0);
}
console.error(
  'Could not find or install a Chromium for the end-to-end tests.\n' +
  'Install one with:  apt-get update && apt-get install -y chromium\n' +
  'or point PLAYWRIGHT_CHROMIUM_PATH at a Chromium executable.',
);
process.exit(1);
