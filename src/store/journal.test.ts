import 'fake-indexeddb/auto';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { isContractLoaded, kwikid, registerDefinition, unregisterDefinition } from '../core/contracts/contracts.ts';
import { zipFingerprint } from '../core/zip/fingerprint.ts';
import { Journal, journalContract, journalSettings, missingSecrets } from '../core/run/journal.ts';
import { checkDefinition } from '../core/providers/schema.ts';
import { createRecorder } from '../core/run/journal-run.ts';
import { recordFromCall } from '../core/run/records.ts';
import { buildResultsZip, type ReportInput } from '../core/archive/report.ts';
import { readResultsArchive } from '../core/archive/archive-read.ts';
import { openZip } from '../core/zip/zip.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import { createJournalStore } from './journal.ts';

const png = (seed: number) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, seed]);

async function zipFile(name: string, n: number, salt = 0): Promise<File> {
  const zip = new JSZip();
  for (let i = 0; i < n; i++) {
    zip.file(`p${i}_image1.png`, png(i + salt));
    zip.file(`p${i}_image2.png`, png(i + 100 + salt));
  }
  return new File([await zip.generateAsync({ type: 'uint8array' }) as Uint8Array<ArrayBuffer>], name, { lastModified: 1700000000000 });
}

let n = 0;
async function setup() {
  const journal = new Journal(idbJournalBackend(`journal-store-test-${++n}`));
  const file = await zipFile('regress.zip', 4);
  const zip = await openZip(file, file.name);
  const run = await journal.start({
    id: journal.newId(),
    input: { name: file.name, size: file.size, lastModified: file.lastModified, fingerprint: zipFingerprint(zip.entries) },
    pairs: zip.pairs, skipped: zip.skipped, notices: zip.notices,
    settings: journalSettings({ contract: kwikid, baseUrl: 'http://127.0.0.1:1', credentials: { token: 'secret-token-1' }, timeoutMs: 1000, retries: 0 }, false),
    startedAt: '2026-01-01T00:00:00.000Z',
  });
  const rec = createRecorder(journal, run);
  rec.record(recordFromCall(zip.pairs[0]!, { ok: true, status: 200, timeMs: 5, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } }), 0);
  rec.sent(1);
  await rec.flush();
  const saved: { blob: Blob; name: string }[] = [];
  const store = createJournalStore({
    journal,
    buildArchive: (input: ReportInput) => buildResultsZip(input),
    save: (blob, name) => saved.push({ blob, name }),
  });
  await store.getState().refresh();
  return { store, file, saved, journal, run };
}

describe('journal store', () => {
  it('offers the unfinished run on load', async () => {
    const { store } = await setup();
    expect(store.getState().banner?.input.name).toBe('regress.zip');
    expect(store.getState().banner?.progress.done).toBe(1);
  });

  it('Resume refuses a different ZIP with a sentence naming the expected file, and accepts the same one', async () => {
    const { store, file } = await setup();
    await store.getState().startResume();
    await store.getState().chooseResumeFile(await zipFile('other.zip', 4, 7));
    expect(store.getState().resume?.error).toMatch(/^other\.zip is not the ZIP this run was started with: its files differ .*Choose regress\.zip \(/);
    expect(store.getState().resume?.zip).toBeNull();
    await store.getState().chooseResumeFile(file);
    expect(store.getState().resume?.error).toBeNull();
    expect(store.getState().resume?.zip?.pairs).toHaveLength(4);
    expect(store.getState().resume?.sent).toEqual([1]);
  });

  it('Download results so far: every pair, the unsent ones not_run; then the banner is gone after Discard', async () => {
    const { store, saved } = await setup();
    await store.getState().downloadSoFar();
    expect(saved).toHaveLength(1);
    const read = await readResultsArchive(saved[0]!.blob, saved[0]!.name);
    expect(read.records.map((r) => (r.success ? 'ok' : r.error.type))).toEqual(['ok', 'not_run', 'not_run', 'not_run']);
    expect(read.records[1]!.success === false && read.records[1]!.error.message).toMatch(/Sent, but the page was closed/);
    expect(store.getState().banner).not.toBeNull(); // still unfinished: Resume stays possible
    await store.getState().discard();
    expect(store.getState().banner).toBeNull();
    await store.getState().refresh();
    expect(store.getState().banner).toBeNull();
  });

  it('a run of the user\'s own definition can be resumed after a reload that no longer knows the definition', async () => {
    const checked = checkDefinition({
      id: 'acme-resume', label: 'Acme', path: '/v1/compare',
      request: { encoding: 'json', json: { a: '{{image1.base64}}', b: '{{image2.base64}}' } },
      credentials: [{ key: 'api_key', label: 'Acme key', secret: true }], headers: [{ name: 'x-acme-key', from: 'api_key' }],
      verdict: { path: ['match'] },
    });
    if (!checked.ok) throw new Error(checked.problems.join('\n'));
    registerDefinition(checked.definition);
    const journal = new Journal(idbJournalBackend(`journal-store-test-${++n}`));
    const file = await zipFile('acme.zip', 2);
    const zip = await openZip(file, file.name);
    await journal.start({
      id: journal.newId(),
      input: { name: file.name, size: file.size, lastModified: file.lastModified, fingerprint: zipFingerprint(zip.entries) },
      pairs: zip.pairs, skipped: zip.skipped, notices: zip.notices,
      settings: journalSettings({ contract: checked.definition, baseUrl: 'http://127.0.0.1:1', credentials: { api_key: 'acme-secret-7' }, timeoutMs: 1000, retries: 0 }, false),
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    // The reload: a new page knows no custom definition.
    unregisterDefinition('acme-resume');
    const store = createJournalStore({ journal, buildArchive: (input: ReportInput) => buildResultsZip(input), save: () => {} });
    await store.getState().refresh();
    const banner = store.getState().banner!;
    expect(JSON.stringify(banner.settings)).not.toContain('acme-secret-7');
    expect(isContractLoaded('acme-resume')).toBe(true);
    expect(journalContract(banner)).toEqual(checked.definition);
    // The key was not stored: Resume asks for it again, by the label the definition gives it.
    expect(missingSecrets(banner).map((c) => c.label)).toEqual(['Acme key']);
  });
});
