/**
 * Fault injection for the face-match routes, off unless a fault spec is configured.
 *
 * Spec: "500:0.1,429:0.05,hang:0.05,reset:0.02,html502:0.02,badjson:0.02" — per request at most
 * one fault is picked with those probabilities from a seeded PRNG, so a run can be replayed.
 */
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';

export const FAULT_KINDS = ['500', '429', 'hang', 'reset', 'html502', 'badjson'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  probability: number;
}

/** Response header naming the fault that produced a response, so a user can tell it from a real error. */
export const FAULT_HEADER = 'x-facematch-fault';

/** Parses and validates a fault spec; throws an Error whose message says what is wrong and how to fix it. */
export function parseFaultSpec(spec: string): FaultRule[] {
  const trimmed = spec.trim();
  if (trimmed === '') return [];
  const example = 'e.g. "500:0.1,429:0.05,hang:0.05,reset:0.02,html502:0.02,badjson:0.02"';
  const rules: FaultRule[] = [];
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^([^:\s]+)\s*:\s*(\S+)$/.exec(item);
    if (!m) throw new Error(`Bad fault spec item "${item}": expected kind:probability, ${example}.`);
    const kind = m[1]!;
    const p = Number(m[2]);
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new Error(`Unknown fault "${kind}" in the fault spec. Known faults: ${FAULT_KINDS.join(', ')}.`);
    }
    if (!Number.isFinite(p) || p < 0 || p > 1) {
      throw new Error(`Fault "${kind}" has probability "${m[2]}"; it must be a number from 0 to 1.`);
    }
    if (rules.some((r) => r.kind === kind)) throw new Error(`Fault "${kind}" appears twice in the fault spec.`);
    rules.push({ kind: kind as FaultKind, probability: p });
  }
  const total = rules.reduce((s, r) => s + r.probability, 0);
  if (total > 1 + 1e-9) {
    throw new Error(`The fault probabilities add up to ${Number(total.toFixed(6))}; at most one fault is picked per request, so they must add up to 1 or less.`);
  }
  return rules;
}

/** mulberry32: small, fast, seedable; good enough to pick faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How a route words an error body: KwikID uses {"message"}, Deepvue {"detail"}. */
export interface FaultShape {
  error(message: string): Record<string, unknown>;
  /** A plausible success body; `badjson` sends it cut in half. */
  success(): Record<string, unknown>;
}

export interface FaultInjector {
  readonly enabled: boolean;
  readonly rules: readonly FaultRule[];
  /** Picks at most one fault for this request. */
  pick(): FaultKind | null;
  /** Picks a fault and, when one hits, produces its response (or never answers / drops the socket). */
  apply(c: Context, shape: FaultShape): Promise<Response | null>;
  /** Releases every hanging request (used by close()). */
  releaseAll(): void;
}

export function createFaultInjector(spec: string, seed?: number): FaultInjector {
  const rules = parseFaultSpec(spec);
  const random = seededRandom(seed ?? Math.floor(Math.random() * 2 ** 32));
  const hanging = new Set<() => void>();
  let closed = false;

  function pick(): FaultKind | null {
    if (rules.length === 0) return null;
    const r = random();
    let acc = 0;
    for (const rule of rules) {
      acc += rule.probability;
      if (r < acc) return rule.kind;
    }
    return null;
  }

  async function apply(c: Context, shape: FaultShape): Promise<Response | null> {
    const kind = pick();
    if (!kind) return null;
    c.header(FAULT_HEADER, kind);
    switch (kind) {
      case '500':
        return c.json(shape.error('Internal server error (injected fault).'), 500);
      case '429':
        c.header('Retry-After', '1');
        return c.json(shape.error('Rate limit exceeded. Please retry after some time.'), 429);
      case 'html502':
        return c.html(BAD_GATEWAY_HTML, 502);
      case 'badjson': {
        const full = JSON.stringify(shape.success());
        return c.body(full.slice(0, Math.max(1, Math.floor(full.length / 2))), 200, { 'Content-Type': 'application/json' });
      }
      case 'reset': {
        const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
        if (incoming?.socket) {
          incoming.socket.destroy();
          // Nothing reaches the client; this answer is dropped by the closed socket.
          return c.body(null, 500);
        }
        // No socket (in-process app.request): the closest observable equivalent.
        return c.json(shape.error('Connection reset (injected fault; no socket to drop).'), 500);
      }
      case 'hang': {
        await new Promise<void>((resolve) => {
          if (closed) return resolve();
          const done = () => { hanging.delete(done); c.req.raw.signal.removeEventListener('abort', done); resolve(); };
          hanging.add(done);
          c.req.raw.signal.addEventListener('abort', done, { once: true });
        });
        return c.json(shape.error('Service unavailable (injected hang released).'), 503);
      }
    }
  }

  return {
    enabled: rules.length > 0,
    rules,
    pick,
    apply,
    releaseAll() {
      closed = true;
      for (const done of [...hanging]) done();
    },
  };
}

const BAD_GATEWAY_HTML = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx (injected fault)</center></body></html>
`;
