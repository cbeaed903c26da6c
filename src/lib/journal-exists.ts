/**
 * Whether the run journal's database exists, asked without opening it and without loading the
 * IndexedDB wrapper: the page loads the journal banner (and its store) only when there may be a
 * run to offer, which keeps both out of the first bundle.
 */
export const JOURNAL_DB = 'facematch-journal';

export async function journalMayExist(): Promise<boolean> {
  if (typeof indexedDB === 'undefined') return false;
  // Browsers without databases(): load the banner and let it look.
  if (typeof indexedDB.databases !== 'function') return true;
  try {
    return (await indexedDB.databases()).some((d) => d.name === JOURNAL_DB);
  } catch {
    return true;
  }
}
