/** Small wording rules shared by core, the server, the CLI and the UI: each lives only here. */

/** The message of an error, or the value as text: for "(…)" details inside a sentence, never a stack. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
