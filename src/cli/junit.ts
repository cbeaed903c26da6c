/**
 * `--junit FILE`: a JUnit XML report, one testcase per pair, written with junit-report-builder.
 * A testcase fails when its record is an error, or (with labels) when the verdict is wrong.
 */
import junit from 'junit-report-builder';
import type { ProviderContract } from '../core/contracts/contracts.ts';
import { recordVerdict, type PairRecord } from '../core/run/records.ts';

export interface JunitInput {
  /** The suite name, e.g. the input ZIP's name. */
  suite: string;
  contract: ProviderContract;
  records: readonly PairRecord[];
  /** pair_id → expected match, when labels were given. */
  expected?: ReadonlyMap<string, boolean>;
  /** ISO start time of the run. */
  timestamp?: string;
  /** Headline figures written as the suite's properties (name, value). */
  properties?: readonly (readonly [string, string | number])[];
}

/** The JUnit XML text. */
export function junitXml(input: JunitInput): string {
  const builder = junit.newBuilder();
  const suite = builder.testSuite().name(`facematch ${input.suite}`);
  if (input.timestamp) suite.timestamp(input.timestamp);
  for (const [name, value] of input.properties ?? []) suite.property(name, String(value));
  const className = `facematch.${input.contract.id}`;
  for (const rec of input.records) {
    const tc = suite.testCase().className(className).name(rec.pair_id);
    tc.time(Math.round(rec.response_time_ms ?? 0) / 1000);
    tc.file(`${rec.image1_path} + ${rec.image2_path}`);
    if (!rec.success) {
      tc.failure(`${rec.error.type}: ${rec.error.message}`, rec.error.type);
      continue;
    }
    const want = input.expected?.get(rec.pair_id);
    if (want === undefined) continue;
    const verdict = recordVerdict(input.contract, rec);
    if (!verdict) {
      tc.failure(`The answer holds no verdict; the labels expect ${want ? 'a match' : 'no match'}.`, 'no_verdict');
    } else if (verdict.match !== want) {
      const conf = verdict.confidence !== null && verdict.confidence !== undefined ? ` (confidence ${verdict.confidence})` : '';
      tc.failure(`Expected ${want ? 'a match' : 'no match'}, got ${verdict.match ? 'a match' : 'no match'}${conf}.`, 'wrong_verdict');
    }
  }
  return builder.build();
}
