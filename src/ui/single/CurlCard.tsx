import { useEffect, useState } from 'react';
import { needsTemplateCurl, plainCurl, type CurlInput } from '../../core/request/curl-shell.ts';
import { useShallow } from 'zustand/react/shallow';
import { callSettingsOf, useSettingsStore } from '../../store/settings.ts';
import { useSingleStore } from '../../store/single.ts';
import { Button } from '../components/Button.tsx';
import { Card } from '../components/Card.tsx';
import { useCopy } from '../components/useCopy.ts';

/** "Copy as cURL": the request Run sends, with secrets masked unless asked for. */
export function CurlCard() {
  const name0 = useSingleStore((s) => s.slots[0]?.name);
  const name1 = useSingleStore((s) => s.slots[1]?.name);
  const source = useSettingsStore(useShallow((s) => ({
    providerId: s.providerId, baseUrl: s.baseUrl, credentials: s.credentials,
    uniqueId: s.uniqueId, timeoutMs: s.timeoutMs, retries: s.retries,
  })));
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const { state, copy } = useCopy();
  const settings = callSettingsOf(source);
  // A definition with a request template is rendered by curl.ts, loaded with such a definition.
  const templated = needsTemplateCurl(settings.contract);
  const [buildCurl, setBuildCurl] = useState<((input: CurlInput) => string) | null>(null);
  useEffect(() => {
    if (templated && !buildCurl) void import('../../core/request/curl.ts').then((m) => setBuildCurl(() => m.buildCurl));
  }, [templated, buildCurl]);

  const command = (secrets: boolean): string | null => {
    const s = settings;
    const [f1, f2] = s.contract.imageFields;
    const build = templated ? buildCurl : plainCurl;
    return build && build({
      contract: s.contract,
      baseUrl: s.baseUrl,
      credentials: s.credentials,
      uniqueId: s.uniqueId,
      fileNames: [name0 ?? `${f1}.jpg`, name1 ?? `${f2}.jpg`],
      includeSecrets: secrets,
    });
  };
  // One command for both: the preview is exactly what Copy puts on the clipboard.
  const shown = command(includeSecrets);
  const steps = settings.contract.steps?.length ?? 0;

  return (
    <Card
      title="Copy as cURL"
      titleId="curl-title"
      actions={(
        <>
          <span role="status" className="text-xs text-slate-600 dark:text-slate-400">
            {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy: the browser refused clipboard access.' : ''}
          </span>
          <label className="inline-flex items-center gap-1.5 text-xs text-slate-700 dark:text-slate-300">
            <input
              type="checkbox"
              checked={includeSecrets}
              onChange={(e) => setIncludeSecrets(e.target.checked)}
              className="h-3.5 w-3.5 accent-sky-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
            />
            Include secrets
          </label>
          <Button size="sm" disabled={shown === null} onClick={() => { if (shown !== null) void copy(shown); }}>Copy as cURL</Button>
        </>
      )}
    >
      <p className="mb-2 text-xs text-slate-500 dark:text-slate-400">
        Run it in the folder that holds the two images{steps ? ` (the API is called in ${steps + 1} steps: it needs jq)` : ''}.
        Secrets are shown as &lt;hidden&gt; unless &ldquo;Include secrets&rdquo; is on.
      </p>
      <pre
        tabIndex={0}
        aria-label="cURL command"
        className="overflow-x-auto rounded-lg bg-slate-950 p-4 font-mono text-xs leading-relaxed text-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500"
      >
        {shown ?? 'Preparing the command…'}
      </pre>
    </Card>
  );
}
