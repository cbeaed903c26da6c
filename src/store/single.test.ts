import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from '../core/contracts.ts';
import type { CallResult, CallSettings } from '../core/request.ts';
import { createSingleStore, formatConfidence, slotWarning } from './single.ts';

const settings: CallSettings = { contract: kwikid, baseUrl: 'http://x', credentials: { token: 't' }, timeoutMs: 1000, retries: 0 };
const jpeg = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0])], 'a.jpg');

describe('single store', () => {
  it('sniffs a slot, warns for text files and runs the call with both files', async () => {
    const seen: string[] = [];
    const call = (async (_s: CallSettings, images: readonly [{ name: string }, { name: string }]) => {
      seen.push(...images.map((i) => i.name));
      return { ok: true, status: 200, timeMs: 12, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.87314 } } satisfies CallResult;
    }) as unknown as NonNullable<Parameters<typeof createSingleStore>[0]['call']>;
    const store = createSingleStore({ callSettings: () => settings, call });
    await store.getState().setFile(0, jpeg());
    await store.getState().setFile(1, new File(['hello'], 'notes.png'));
    expect(store.getState().slots[0]?.type).toBe('jpeg');
    expect(slotWarning(kwikid, 1, store.getState().slots[1])).toBe(
      'image2: notes.png is a text file, not a JPEG or PNG. The API will probably reject it; run anyway to see its answer.',
    );
    await store.getState().run();
    expect(seen).toEqual(['a.jpg', 'notes.png']);
    expect(store.getState().outcome?.verdict).toMatchObject({ match: true });
    expect(store.getState().status).toBe('done');
  });

  it('formats confidence per contract scale', () => {
    expect(formatConfidence(kwikid, { match: true, rawConfidence: 0.87314, confidence: 0.87314, credits: null })).toBe('0.8731 (87.3 %)');
    expect(formatConfidence(deepvue, { match: true, rawConfidence: 87.5, confidence: 0.875, credits: null })).toBe('87.5 / 100 (87.5 %)');
  });

  it('warns about files over the size limit', () => {
    const big = { file: jpeg(), name: 'big.jpg', size: kwikid.maxImageBytes + 1, type: 'jpeg' as const };
    expect(slotWarning(kwikid, 0, big)).toMatch(/^image1: big\.jpg is 15\.0 MB, over the 15\.0 MB KwikID accepts\./);
  });
});
