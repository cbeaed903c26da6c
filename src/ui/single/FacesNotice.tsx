import { facesSentence } from '../../core/faces/faces.ts';
import { selectContract, useSettingsStore } from '../../store/settings.ts';
import { useSingleStore } from '../../store/single.ts';

/** Before a run: one sentence per image in which the reference detector found no face or several. */
export function FacesNotice() {
  const contract = useSettingsStore(selectContract);
  const first = useSingleStore((s) => s.faces[0]);
  const second = useSingleStore((s) => s.faces[1]);
  const sentences = [first, second]
    .map((report, i) => (report ? facesSentence(contract.imageFields[i as 0 | 1], report) : null))
    .filter((s): s is string => s !== null);
  if (!sentences.length) return null;
  return (
    <div role="status" className="mt-4 space-y-1 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-200">
      {sentences.map((s) => <p key={s}>{s}</p>)}
    </div>
  );
}
