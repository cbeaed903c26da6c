/**
 * One attempt's calls for a definition with a request template or preparatory steps (Face++,
 * AWS's signed JSON, Azure's detect-detect-verify, a custom definition): each step's request, its
 * captured values, then the main request. Loaded by request.ts the first time such a definition is
 * called; KwikID and Deepvue never need it, so the page's first load does not carry it.
 */
import { joinUrl, readPath, type ProviderContract } from '../contracts/contracts.ts';
import { answerProblem, excerpt, parseJson } from '../request/answer.ts';
import type { AttemptFailure, Exchange, ExchangeContext } from '../request/request.ts';
import { buildTemplateBody, templateHeaders, uuidV4, type BuiltBody, type TemplateContext } from './body.ts';
import type { RequestTemplate } from './types.ts';

/**
 * Runs the definition's steps, then sends its main request. Resolves with the main request's
 * exchange, or with the failure of a step (its answer said no, or has no value to capture).
 */
export async function definedExchange(c: ExchangeContext): Promise<Exchange | AttemptFailure> {
  const { settings, images } = c;
  const { contract } = settings;
  const steps: Record<string, Record<string, string>> = {};
  const ctx: TemplateContext = { images, uniqueId: settings.uniqueId, credentials: settings.credentials, steps, uuid: uuidV4() };
  const send = async (template: RequestTemplate | null, to: string, name: string): Promise<Exchange> => {
    if (!template) return c.sendPlain(to, name);
    c.target(to);
    const t0 = c.now();
    const built = await buildTemplateBody(template, contract.authFields, ctx);
    let headers = c.withContentType({ ...c.headers(), ...templateHeaders(template, ctx) }, built);
    if (contract.signing) headers = await signed(contract, settings.credentials, to, headers, built.body);
    return c.fetchTimed(to, headers, built.body, name, t0);
  };
  for (const step of contract.steps ?? []) {
    const { res, text } = await send(step.request, joinUrl(settings.baseUrl, step.path), step.id);
    const parsed = parseJson(text);
    const slot = imageSlotOf(step.request);
    const failed = answerProblem(contract, res, text, parsed, slot === null ? undefined : images[slot]!.name);
    if (failed) return { ...failed, engine: c.engineOf(res) };
    const captured: Record<string, string> = {};
    for (const [key, path] of Object.entries(step.capture)) {
      const v = readPath(parsed.ok ? parsed.value : undefined, path);
      if (v === undefined || v === null || v === '') {
        const which = slot === null ? 'one of the images' : images[slot]!.name;
        return {
          ok: false, status: res.status,
          error: { type: 'no_face', message: `The API found no face in ${which} (its ${step.id} answer has no ${path.join('.')}).` },
          errorBody: parsed.ok ? parsed.value : excerpt(text),
        };
      }
      captured[key] = String(v);
    }
    steps[step.id] = captured;
  }
  return send(contract.request ?? null, c.url, 'main');
}

/** The headers of a signed definition, with the signature (the signer loads on demand). */
async function signed(
  contract: ProviderContract, credentials: ExchangeContext['settings']['credentials'], url: string, headers: Record<string, string>, body: BuiltBody,
): Promise<Record<string, string>> {
  if (body instanceof FormData) throw new Error('A signed request needs a json, urlencoded or octet body.');
  const { signSigV4 } = await import('./sigv4.ts');
  return signSigV4(contract.signing!, credentials, url, headers, body);
}

/** The image a step sends (its octet body, or a lone image field), to name it in a no-face sentence. */
function imageSlotOf(t: RequestTemplate): 0 | 1 | null {
  const texts = [t.octet ?? '', ...(t.fields ?? []).map((f) => f.value)];
  const slots = new Set(texts.flatMap((x) => [...x.matchAll(/\{\{\s*image([12])/g)].map((m) => Number(m[1]) - 1)));
  return slots.size === 1 ? ([...slots][0] as 0 | 1) : null;
}
