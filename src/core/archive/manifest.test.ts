import { describe, expect, it } from 'vitest';
import { manifestSettings } from './manifest.ts';
import { checkDefinition } from '../providers/schema.ts';
import { scrubber, snapshotSecrets } from '../secrets/secrets.ts';
import type { JobSnapshot } from '../run/job.ts';
import { karza } from '../providers/vendor-presets.ts';

describe('run.json settings: the provider definition', () => {
  it('records a custom definition as data, with the credentials named and never their values', () => {
    const checked = checkDefinition({
      id: 'acme', label: 'Acme', path: '/v1/compare',
      request: { encoding: 'json', json: { a: '{{image1.base64}}', b: '{{image2.base64}}', key: '{{credentials.api_key}}' } },
      credentials: [{ key: 'api_key', label: 'Key', secret: true }],
      verdict: { path: ['match'] },
    });
    if (!checked.ok) throw new Error(checked.problems.join('\n'));
    const snapshot: JobSnapshot = {
      contract: checked.definition, baseUrl: 'https://acme.example', credentials: { api_key: 'acme-secret-123' },
      timeoutMs: 30_000, retries: 2, concurrency: 1, ratePerSecond: null,
    };
    const settings = manifestSettings(snapshot, scrubber(snapshotSecrets(snapshot)) ?? undefined);
    expect(settings.provider).toBe('acme');
    expect(settings.credentials).toEqual(['api_key']);
    expect(settings.provider_definition).toEqual(checked.definition);
    expect(settings.provider_definition.request?.json).toEqual({ a: '{{image1.base64}}', b: '{{image2.base64}}', key: '{{credentials.api_key}}' });
    expect(JSON.stringify(settings)).not.toContain('acme-secret-123');
  });

  it('a literal that equals a secret of the run is redacted in the recorded definition too', () => {
    const leaky = { ...karza, request: { ...karza.request!, headers: [{ name: 'x-extra', value: 'karza-live-key-9' }] } };
    const snapshot: JobSnapshot = {
      contract: leaky, baseUrl: 'https://karza.example', credentials: { api_key: 'karza-live-key-9' },
      timeoutMs: 30_000, retries: 0, concurrency: 1, ratePerSecond: null,
    };
    const settings = manifestSettings(snapshot, scrubber(snapshotSecrets(snapshot)) ?? undefined);
    expect(JSON.stringify(settings.provider_definition)).not.toContain('karza-live-key-9');
    expect(settings.provider_definition.request?.headers).toEqual([{ name: 'x-extra', value: '[redacted]' }]);
  });
});
