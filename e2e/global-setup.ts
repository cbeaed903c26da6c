import { build } from 'vite';

/** Builds the app once so every test worker serves the same `dist/` from its own reference server. */
export default async function globalSetup(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === '1') return;
  await build({ logLevel: 'warn' });
}
