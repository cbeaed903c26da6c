import { describe, expect, it } from 'vitest';
import { deepvue, kwikid } from './contracts.ts';
import { canIssueToken, credentialProblem, needsTokenFirst } from './readiness.ts';

describe('credentialProblem', () => {
  it('KwikID needs its bearer token', () => {
    expect(credentialProblem(kwikid, { token: '  ' })).toBe('Enter the bearer token in the connection settings: KwikID needs it for every call.');
    expect(credentialProblem(kwikid, { token: 't' })).toBeNull();
  });

  it('Deepvue without a token is ready when the client ID and secret can issue one', () => {
    const creds = { clientId: 'id', clientSecret: 'sec', token: '' };
    expect(credentialProblem(deepvue, creds)).toBeNull();
    expect(canIssueToken(deepvue, creds)).toBe(true);
    expect(needsTokenFirst(deepvue, creds)).toBe(true);
    expect(needsTokenFirst(deepvue, { ...creds, token: 'jwt' })).toBe(false);
  });

  it('Deepvue without client credentials names what to enter', () => {
    expect(credentialProblem(deepvue, {})).toBe('Enter the client ID and client secret in the connection settings: Deepvue issues the bearer token from them.');
    expect(credentialProblem(deepvue, { clientSecret: 'sec' }))
      .toBe('Enter the client ID in the connection settings (or paste a bearer token): Deepvue issues the bearer token from the client ID and client secret.');
    // A pasted token still needs the client secret: Deepvue sends it as x-api-key.
    expect(credentialProblem(deepvue, { token: 'jwt' })).toBe('Enter the client secret in the connection settings: Deepvue needs it for every call.');
    expect(credentialProblem(deepvue, { token: 'jwt', clientSecret: 'sec' })).toBeNull();
    expect(needsTokenFirst(deepvue, { clientSecret: 'sec' })).toBe(false);
  });
});
