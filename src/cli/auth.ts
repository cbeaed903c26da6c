/**
 * The CLI's auth policy for core's bulk job: core's token refresh when the contract issues tokens
 * (Deepvue), core's stop otherwise (KwikID); either way a stop says which environment variables
 * hold the credentials, since the CLI has no settings panel.
 */
import type { ProviderContract } from '../core/contracts/contracts.ts';
import { canRefreshToken, refreshTokenPolicy, stopOnUnauthorized, type AuthPolicy } from '../core/run/job.ts';
import type { CallDeps, CallSettings } from '../core/request/request.ts';
import { credentialEnvLabel, requiredKeys } from '../core/providers/credentials.ts';

export function envHint(contract: ProviderContract): string {
  const names = requiredKeys(contract).map(credentialEnvLabel);
  return `The CLI reads the credentials from ${names.join(' and ')}: set ${names.length > 1 ? 'them' : 'it'} to valid values and run again.`;
}

export function cliAuthPolicy(settings: Pick<CallSettings, 'contract' | 'credentials'>, deps: Pick<CallDeps, 'fetch'> = {}): AuthPolicy {
  const base = canRefreshToken(settings) ? refreshTokenPolicy(deps) : stopOnUnauthorized();
  const hint = envHint(settings.contract);
  return {
    onUnauthorized: async (info, signal) => {
      const action = await base.onUnauthorized(info, signal);
      return action.action === 'stop' ? { ...action, reason: `${action.reason} ${hint}` } : action;
    },
  };
}
