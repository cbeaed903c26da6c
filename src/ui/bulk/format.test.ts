import { describe, expect, it } from 'vitest';
import type { ArchiveRunInfo } from '../../core/archive/archive-read.ts';
import { deepvue, kwikid } from '../../core/contracts/contracts.ts';
import type { JobSnapshot } from '../../core/run/job.ts';
import { requestView } from './format.ts';

const snapshot = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  contract: kwikid, baseUrl: 'https://user:pw@api.example.com/v2', credentials: { token: 'sekret-token' },
  timeoutMs: 60_000, retries: 2, concurrency: 1, ratePerSecond: null, uniqueId: '  run-A  ', ...over,
});

describe('requestView (the row detail\'s request)', () => {
  it('comes from the run\'s snapshot: endpoint without userinfo, unique_id as sent', () => {
    const view = requestView(kwikid, snapshot(), null);
    expect(view.endpoint).toBe('https://api.example.com/v2/facematch');
    expect(view.fields).toEqual([['unique_id', 'run-A']]);
    expect(JSON.stringify(view)).not.toMatch(/sekret|pw@/);
  });

  it('never shows a secret, even typed into the unique_id', () => {
    const view = requestView(kwikid, snapshot({ uniqueId: 'id-sekret-token' }), null);
    expect(JSON.stringify(view)).not.toContain('sekret-token');
  });

  it('no unique_id field when the run sent none, or the contract has none', () => {
    expect(requestView(kwikid, snapshot({ uniqueId: '' }), null).fields).toEqual([]);
    expect(requestView(deepvue, snapshot({ contract: deepvue }), null).fields).toEqual([]);
  });

  it('a reopened archive: the endpoint from run.json, unique_id not known; nothing at all without run.json', () => {
    const run = { endpoint: 'https://api.example.com/facematch' } as ArchiveRunInfo;
    expect(requestView(kwikid, null, run)).toEqual({ endpoint: 'https://api.example.com/facematch', fields: [['unique_id', null]] });
    expect(requestView(kwikid, null, null).endpoint).toBeNull();
  });
});
