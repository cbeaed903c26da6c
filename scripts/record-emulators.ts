/**
 * Records what each vendor emulator answers, with the real engine, into test/recorded/<preset>.json
 * (text only, no images): a same-person pair, a different-person pair, an image without a face and
 * a wrong key. The provider presets' unit tests read these files.
 *
 *   npx tsx scripts/record-emulators.ts [preset ...]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { PRESET_DEMO_CREDENTIALS } from '../src/core/providers/emulation.ts';
import { createServerApp } from '../server/app.ts';
import { CLIENTS, wrongCredentials, type Exchange } from '../server/routes/emulate/testkit.ts';
import { face, REPO_ROOT, testConfig } from '../server/testkit.ts';

const NO_FACE = '(a generated 320×240 image without a face)';
const PAIRS = { match: ['obama-1.jpg', 'obama-2.jpg'], no_match: ['obama-1.jpg', 'biden-1.jpg'], no_face: ['biden-2.jpg', NO_FACE], auth_error: ['biden-2.jpg', 'biden-1.jpg'] } as const;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const clients = CLIENTS.filter((c) => wanted.length === 0 || wanted.includes(c.id));
  const server = createServerApp(testConfig({ engine: 'real', workers: 2, token: PRESET_DEMO_CREDENTIALS.kwikid.token! }));
  const fetch = (p: string, init: RequestInit) => server.app.request(p, init);
  try {
    await server.engine.ready();
    const blank = new Uint8Array(await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 160, b: 200 } } }).jpeg().toBuffer());
    const image = (name: string) => (name === NO_FACE ? blank : face(name));
    const dir = path.join(REPO_ROOT, 'test', 'recorded');
    mkdirSync(dir, { recursive: true });
    for (const client of clients) {
      const answers: Record<string, unknown> = {};
      for (const [kind, [a, b]] of Object.entries(PAIRS)) {
        const ex: Exchange = await client.compare(fetch, image(a), image(b), kind === 'auth_error' ? wrongCredentials(client.id) : undefined);
        if (ex.reading !== kind) throw new Error(`${client.id}: the ${kind} case read as ${ex.reading}: ${JSON.stringify(ex.body)}`);
        answers[kind] = { images: [a, b], calls: ex.calls, status: ex.status, body: ex.body };
      }
      const file = path.join(dir, `${client.id}.json`);
      writeFileSync(file, `${JSON.stringify({ preset: client.id, engine: 'real', answers }, null, 2)}\n`);
      console.log(`wrote ${path.relative(REPO_ROOT, file)}`);
    }
  } finally {
    await server.close();
  }
}

void main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
