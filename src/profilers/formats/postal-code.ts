/** Recognises French postal codes; no library keeps the list, and the ranges are stable. */

/**
 * True for five digits in 01000–95999 (metropolitan France and Corsica, `20xxx`) or 97xxx/98xxx
 * (overseas departments and collectivities, Monaco's 980xx included).
 */
export function isFrenchPostalCodeFormat(text: string): boolean {
  if (text.length !== 5) return false;
  for (let i = 0; i < 5; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  const department = (text.charCodeAt(0) - 48) * 10 + (text.charCodeAt(1) - 48);
  if (department === 0 || department === 96 || department === 99) return false;
  return true;
}
