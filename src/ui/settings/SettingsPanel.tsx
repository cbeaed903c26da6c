import { Suspense, lazy, useEffect, useId, useState } from 'react';
import { PRESET_ENTRIES, PROVIDER_GROUPS, type CredentialField } from '../../core/contracts/contracts.ts';
import { RETRYABLE_STATUS } from '../../core/contracts/defaults.ts';
import { baseUrlProblem } from '../../core/secrets/safe-url.ts';
import { NUMERIC_SETTINGS } from '../../core/contracts/setting-rules.ts';
import {
  isOwnOrigin, ownBaseUrl, selectContract, upstreamBaseUrl, useSettingsStore,
  type SettingsLock,
} from '../../store/settings.ts';
import { Button } from '../components/Button.tsx';
import { Card } from '../components/Card.tsx';
import { Field, Select, TextInput, describedBy } from '../components/Field.tsx';
import { NumberField } from '../components/NumberField.tsx';

// The editor and the schema it checks with load only when the user picks Custom….
const CustomProviderEditor = lazy(() => import('./CustomProviderEditor.tsx').then((m) => ({ default: m.CustomProviderEditor })));

/** The Provider select's entry that opens the definition editor (never a provider id: ids are lower-case). */
const CUSTOM_OPTION = 'Custom…';

/** Connection settings (left column), rendered from the selected contract. */
export function SettingsPanel() {
  const contract = useSettingsStore(selectContract);
  const providerId = useSettingsStore((s) => s.providerId);
  const setProvider = useSettingsStore((s) => s.setProvider);
  const uniqueId = useSettingsStore((s) => s.uniqueId);
  const setUniqueId = useSettingsStore((s) => s.setUniqueId);
  const timeoutMs = useSettingsStore((s) => s.timeoutMs);
  const retries = useSettingsStore((s) => s.retries);
  const concurrency = useSettingsStore((s) => s.concurrency);
  const ratePerSecond = useSettingsStore((s) => s.ratePerSecond);
  const invalid = useSettingsStore((s) => s.invalidSettings);
  const enterNumber = useSettingsStore((s) => s.enterNumber);
  const lock = useSettingsStore((s) => s.lock);
  const loadHealth = useSettingsStore((s) => s.loadHealth);
  const customDefinitions = useSettingsStore((s) => s.customDefinitions);
  // 'new': Custom… picked; 'edit': the selected custom definition opened to change it.
  const [editing, setEditing] = useState<'new' | 'edit' | null>(null);
  const locked = lock !== null;
  const isCustom = customDefinitions.some((d) => d.id === providerId);

  useEffect(() => {
    void loadHealth();
  }, [loadHealth]);

  return (
    <aside aria-label="Connection settings" className="space-y-6 self-start">
      <Card title="Connection" titleId="settings-title">
        {/* A form only so the browser groups the fields; nothing is submitted. */}
        <form className="space-y-4" noValidate autoComplete="off" onSubmit={(e) => e.preventDefault()} aria-describedby={locked ? 'settings-lock' : undefined}>
          <LockNote lock={lock} />
          <fieldset disabled={locked} className="m-0 min-w-0 space-y-4 border-0 p-0">
          <Field
            id="provider"
            label="Provider"
            hint="The API contract: endpoint, fields and headers."
            aside={isCustom && !editing ? (
              <button
                type="button"
                onClick={() => setEditing('edit')}
                className="rounded px-1 text-xs font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300"
              >
                Edit definition
              </button>
            ) : undefined}
          >
            <Select
              id="provider"
              value={editing === 'new' ? CUSTOM_OPTION : providerId}
              aria-describedby="provider-hint"
              onChange={(e) => {
                if (e.target.value === CUSTOM_OPTION) {
                  setEditing('new');
                  return;
                }
                setEditing(null);
                void setProvider(e.target.value);
              }}
            >
              {PROVIDER_GROUPS.map((group) => (
                <optgroup key={group} label={group}>
                  {PRESET_ENTRIES.filter((c) => c.group === group).map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
                </optgroup>
              ))}
              <optgroup label="Your definitions">
                {customDefinitions.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
                <option value={CUSTOM_OPTION}>Custom…</option>
              </optgroup>
            </Select>
          </Field>
          {editing && (
            <Suspense fallback={<p role="status" className="text-xs text-slate-600 dark:text-slate-400">Loading the definition editor…</p>}>
              <CustomProviderEditor key={`${editing}:${providerId}`} contract={contract} custom={editing === 'edit'} onDone={() => setEditing(null)} />
            </Suspense>
          )}
          <BaseUrlFields />
          </fieldset>
          {/* During a pause on a rejected token the credentials alone can be fixed. */}
          <fieldset disabled={lock === 'run'} className="m-0 min-w-0 space-y-4 border-0 p-0">
            {contract.credentials.map((c) => <CredentialInput key={c.key} field={c} />)}
            {contract.tokenEndpoint && <GetToken />}
          </fieldset>
          <fieldset disabled={locked} className="m-0 min-w-0 space-y-4 border-0 p-0">
          {contract.uniqueIdField && (
            <Field
              id="unique-id"
              label={contract.uniqueIdField}
              hint="Optional. Sent with the images to correlate logs."
            >
              <TextInput
                id="unique-id"
                value={uniqueId}
                autoComplete="off"
                spellCheck={false}
                aria-describedby="unique-id-hint"
                onChange={(e) => setUniqueId(e.target.value)}
              />
            </Field>
          )}
          <div className="grid grid-cols-2 gap-3">
            <NumberField
              id="timeout"
              rule={NUMERIC_SETTINGS.timeout}
              value={timeoutMs / 1000}
              invalid={invalid.timeout}
              onInput={(t) => enterNumber('timeout', t)}
            />
            <NumberField
              id="retries"
              rule={NUMERIC_SETTINGS.retries}
              value={retries}
              invalid={invalid.retries}
              onInput={(t) => enterNumber('retries', t)}
              describedBy="retries-policy"
            />
          </div>
          <RetryPolicy />
          <div className="grid grid-cols-2 gap-3">
            <NumberField
              id="concurrency"
              rule={NUMERIC_SETTINGS.concurrency}
              value={concurrency}
              invalid={invalid.concurrency}
              onInput={(t) => enterNumber('concurrency', t)}
              hint="Bulk pairs in flight at once. 1 sends them one by one."
            />
            <NumberField
              id="rate"
              rule={NUMERIC_SETTINGS.rate}
              value={ratePerSecond}
              invalid={invalid.rate}
              onInput={(t) => enterNumber('rate', t)}
              hint="Empty: no limit. Set your plan's quota to avoid HTTP 429."
            />
          </div>
          <RememberToggle />
          </fieldset>
        </form>
      </Card>
    </aside>
  );
}

/** Which failures Retries applies to, and why the others are not retried. */
function RetryPolicy() {
  const statuses = [...RETRYABLE_STATUS].sort((a, b) => a - b);
  const list = `${statuses.slice(0, -1).join(', ')} and ${statuses[statuses.length - 1]}`;
  return (
    <p id="retries-policy" className="-mt-1 text-xs leading-relaxed text-slate-600 dark:text-slate-400">
      <strong className="font-semibold text-slate-700 dark:text-slate-300">Retried:</strong> network errors and HTTP {list},
      which usually pass after a short wait (with backoff, or as long as Retry-After asks).{' '}
      <strong className="font-semibold text-slate-700 dark:text-slate-300">Not retried:</strong> HTTP 500, other 4xx answers and
      timeouts. A 500 or 4xx is the API&apos;s answer to this very request and would come again; a timed-out call may
      already have been processed, and charged, by the API.
    </p>
  );
}

/** Says why the settings cannot be changed while a bulk run is in flight. */
function LockNote({ lock }: { lock: SettingsLock | null }) {
  if (!lock) return null;
  return (
    <p id="settings-lock" role="status" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950/40 dark:text-amber-200">
      {lock === 'run'
        ? 'These settings are locked while the bulk run is in flight: it uses the values it started with. Stop the run to change them.'
        : 'While the run waits on the rejected token, only the credentials can be changed. Enter a valid token, then press Resume.'}
    </p>
  );
}

function BaseUrlFields() {
  const contract = useSettingsStore(selectContract);
  const baseUrl = useSettingsStore((s) => s.baseUrl);
  const setBaseUrl = useSettingsStore((s) => s.setBaseUrl);
  const pageOrigin = useSettingsStore((s) => s.pageOrigin);
  const upstream = useSettingsStore((s) => s.upstream);
  const proxyUrl = upstreamBaseUrl(pageOrigin);
  const normalised = baseUrl.trim().replace(/\/+$/, '');
  const own = ownBaseUrl(pageOrigin, contract);
  const preset = isOwnOrigin(baseUrl, pageOrigin, contract) ? 'own' : upstream && normalised === proxyUrl ? 'upstream' : 'custom';
  const error = baseUrlProblem(baseUrl) ?? undefined;
  const invalid = error !== undefined;
  return (
    <>
      <Field id="base-preset" label="Server">
        <Select
          id="base-preset"
          value={preset}
          onChange={(e) => {
            if (e.target.value === 'own') setBaseUrl(own);
            else if (e.target.value === 'upstream') setBaseUrl(proxyUrl);
          }}
        >
          <option value="own">This server ({own})</option>
          {upstream && <option value="upstream">Upstream proxy ({upstream})</option>}
          <option value="custom">Custom URL</option>
        </Select>
      </Field>
      <Field id="base-url" label="Base URL" error={error} hint={<>Calls <code className="font-mono">POST {contract.path}</code> on this host.</>}>
        <div className="flex items-stretch">
          <TextInput
            id="base-url"
            type="url"
            inputMode="url"
            value={baseUrl}
            spellCheck={false}
            autoComplete="url"
            aria-invalid={invalid}
            aria-describedby={describedBy('base-url', true, error)}
            className="rounded-r-none"
            onChange={(e) => setBaseUrl(e.target.value)}
          />
          <span
            aria-hidden
            className="inline-flex items-center rounded-r-md border border-l-0 border-slate-300 bg-slate-50 px-2.5 font-mono text-xs text-slate-600 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300"
          >
            {contract.path}
          </span>
        </div>
      </Field>
    </>
  );
}

function CredentialInput({ field }: { field: CredentialField }) {
  const value = useSettingsStore((s) => s.credentials[field.key] ?? '');
  const setCredential = useSettingsStore((s) => s.setCredential);
  const [shown, setShown] = useState(false);
  const id = `cred-${field.key}`;
  return (
    <Field
      id={id}
      label={field.optional ? `${field.label} (optional)` : field.label}
      aside={field.secret ? (
        <button
          type="button"
          aria-controls={id}
          onClick={() => setShown((v) => !v)}
          className="rounded px-1 text-xs font-medium text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-300"
        >
          {shown ? `Hide ${field.label}` : `Show ${field.label}`}
        </button>
      ) : undefined}
    >
      <TextInput
        id={id}
        type={field.secret && !shown ? 'password' : 'text'}
        value={value}
        autoComplete="off"
        spellCheck={false}
        className="font-mono"
        onChange={(e) => setCredential(field.key, e.target.value)}
      />
    </Field>
  );
}

function GetToken() {
  const getToken = useSettingsStore((s) => s.getToken);
  const status = useSettingsStore((s) => s.tokenStatus);
  const busy = status.state === 'busy';
  return (
    <div className="space-y-2">
      <Button variant="secondary" onClick={() => void getToken()} disabled={busy} aria-describedby="token-status">
        {busy && <span aria-hidden className="h-3 w-3 animate-spin rounded-full border-2 border-slate-400/40 border-t-slate-600" />}
        Get token
      </Button>
      <p
        id="token-status"
        role="status"
        className={`text-xs ${status.state === 'done' && !status.ok ? 'text-red-600 dark:text-red-400' : 'text-slate-600 dark:text-slate-400'}`}
      >
        {status.state === 'busy' ? 'Requesting a token…' : status.state === 'done' ? status.message : ''}
      </p>
    </div>
  );
}

function RememberToggle() {
  const remember = useSettingsStore((s) => s.remember);
  const setRemember = useSettingsStore((s) => s.setRemember);
  const noteId = useId();
  return (
    <div className="flex items-start gap-2.5 rounded-lg bg-slate-50 p-3 dark:bg-slate-800/60">
      <input
        id="remember"
        type="checkbox"
        checked={remember}
        aria-describedby={noteId}
        onChange={(e) => setRemember(e.target.checked)}
        className="mt-0.5 h-4 w-4 rounded border-slate-300 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
      />
      <div>
        <label htmlFor="remember" className="text-sm font-medium text-slate-800 dark:text-slate-200">Remember on this device</label>
        <p id={noteId} className="text-xs text-slate-500 dark:text-slate-400">
          Keeps these settings, including the token and secrets, in this browser&rsquo;s local storage. Off: nothing is stored.
        </p>
      </div>
    </div>
  );
}
