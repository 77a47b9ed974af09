/**
 * Recognises the French social security number (NIR): our own function, as no maintained npm package
 * checks its key with the Corsican substitution.
 */

const NIR = /^([12378])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$/;
const GROUP_SPACES = / /g;

/**
 * True for 13 characters and a 2-digit key equal to 97 − (number mod 97), spaces allowed
 * (`1 84 12 75 123 456 78`); Corsica's `2A`/`2B` department count as 19/18 in the number.
 */
export function isNirFormat(text: string): boolean {
  if (text.length < 15 || text.length > 21) return false;
  const compact = text.includes(' ') ? text.replace(GROUP_SPACES, '') : text;
  const match = NIR.exec(compact.toUpperCase());
  if (!match) return false;
  const month = Number(match[3]);
  // Months 20–42 and 50–99 exist for people born abroad or with an unknown month; 13–19 never do.
  if (month === 0 || (month > 12 && month < 20)) return false;
  const department = match[4] === '2A' ? '19' : match[4] === '2B' ? '18' : match[4]!;
  const number = `${match[1]}${match[2]}${match[3]}${department}${match[5]}${match[6]}`;
  // 13 digits exceed 2^53 only past 9e15, so a Number holds them exactly; BigInt avoids any doubt.
  const key = 97n - (BigInt(number) % 97n);
  return key === BigInt(match[7]!);
}
