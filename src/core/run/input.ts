/**
 * Opening a run's input ZIP: its pairs and its labels.csv, read together, so every path that opens
 * one (choosing a ZIP, choosing it again to Resume, the CLI) gets the same pairs, the same skipped
 * list and the same labels.
 */
import { loadZipLabels, type LabelSet } from '../pairing/labels.ts';
import { openZip, type OpenedZip } from '../zip/zip.ts';

export interface RunInput {
  /** The opened ZIP; its skipped list says which labels.csv is used. */
  zip: OpenedZip;
  /** Its shallowest labels.csv, when it has one. */
  labels: LabelSet | null;
}

export async function openRunInput(
  source: Blob | Uint8Array,
  name: string,
  open: (source: Blob | Uint8Array, name: string) => Promise<OpenedZip> = openZip,
): Promise<RunInput> {
  const opened = await open(source, name);
  const { labels, skipped } = await loadZipLabels(opened, name);
  return { zip: { ...opened, skipped }, labels };
}
