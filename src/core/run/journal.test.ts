import { describe, expect, it } from 'vitest';
import { resumeSecretsSentence } from './journal.ts';

// The resume card asks for secrets the journal did not store. Its sentence must match the fields the
// user sees: a field already filled in (from the current settings) is not "not stored … enter it again".
describe('resume card: the sentence about secrets that were not stored', () => {
  const kwikid = { settings: { contractId: 'kwikid', baseUrl: 'http://x', credentials: {}, timeoutMs: 60_000, retries: 0, remembered: false } };

  it('asks for the Bearer token while its field is empty', () => {
    expect(resumeSecretsSentence(kwikid, {})).toBe('Bearer token was not stored ("Remember on this device" was off): enter it again.');
    expect(resumeSecretsSentence(kwikid, { token: '   ' })).toMatch(/^Bearer token was not stored/);
  });

  it('says nothing over a filled-in Bearer token field', () => {
    expect(resumeSecretsSentence(kwikid, { token: 'demo-token' })).toBeNull();
  });

  it('names only the fields still empty (Deepvue: client secret filled, token empty)', () => {
    const deepvue = { settings: { ...kwikid.settings, contractId: 'deepvue', credentials: { clientId: 'demo-client' } } };
    expect(resumeSecretsSentence(deepvue, {})).toBe('Client secret and Bearer token were not stored ("Remember on this device" was off): enter them again.');
    expect(resumeSecretsSentence(deepvue, { clientSecret: 's3cret' })).toBe('Bearer token was not stored ("Remember on this device" was off): enter it again.');
  });

  it('says nothing when the secrets were remembered with the run', () => {
    const remembered = { settings: { ...kwikid.settings, credentials: { token: 'demo-token' }, remembered: true } };
    expect(resumeSecretsSentence(remembered, {})).toBeNull();
  });
});
