/**
 * Code page 437, the character set the ZIP specification (APPNOTE 4.4.17) prescribes for entry
 * names stored without the UTF-8 flag (general-purpose bit 11). Windows' built-in "Compressed
 * folder" and many older tools write names this way.
 *
 * Bytes 0x00–0x7F are ASCII; this table holds the 128 characters of 0x80–0xFF, checked against a
 * maintained code-page table in cp437.test.ts.
 */
const HIGH =
  'ÇüéâäàåçêëèïîìÄÅ' +
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧' +
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩' +
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** The character for each byte 0x80–0xFF, in order. */
export const CP437_HIGH: readonly string[] = Array.from(HIGH);

/** Decodes bytes written in code page 437. */
export function decodeCp437(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  }
  return s;
}
