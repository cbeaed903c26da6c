/** Small wording rules shared by core, the server, the CLI and the UI: each lives only here. */

/** The message of an error, or the value as text: for "(…)" details inside a sentence, never a stack. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * A server's message quoted as the end of a sentence: `"Invalid token."` keeps its own final
 * punctuation, `"nope"` gets a period after the quote. Never `"Invalid token.".`
 */
export function quoteSentence(message: string): string {
  const m = message.trim();
  return /[.!?…]$/.test(m) ? `"${m}"` : `"${m}".`;
}

/** "a", "a or b", "a, b or c". */
export function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "Client ID" → "client ID" (an acronym after the first word stays). */
export function lowerFirst(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
