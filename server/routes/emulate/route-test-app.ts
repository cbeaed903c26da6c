/** The server app per route test, on a fake engine (the emulators' route tests share it). */
import { afterEach } from 'vitest';
import { createServerApp } from '../../app.ts';
import { fakeEngine, testConfig, type FakeEngine } from '../../testkit.ts';

/**
 * For a route test file: `const setup = emulatorAppPerTest();` gives a function that starts the
 * whole server app on a fake engine; every app it started is closed after each test.
 */
export function emulatorAppPerTest(): (engine?: FakeEngine) => { app: ReturnType<typeof createServerApp>['app']; engine: FakeEngine } {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => { await Promise.all(closers.splice(0).map((c) => c())); });
  return (engine = fakeEngine()) => {
    const s = createServerApp(testConfig(), { engine });
    closers.push(s.close);
    return { app: s.app, engine };
  };
}
