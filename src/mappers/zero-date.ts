/**
 * MySQL's zero date (`0000-00-00`, `0000-00-00 00:00:00`), which stands for no date, and its dates with a
 * zero month or day (`2024-00-00`, `2024-05-00`), which an sql_mode without NO_ZERO_IN_DATE stores for a
 * date partly unknown: no other database holds them.
 */
const ZERO_DATE = /^0000-00-00(?:[ T]00:00:00(?:\.0+)?)?$/;
const ZERO_IN_DATE = /^\d{4}-(?:00-\d{2}|\d{2}-00)(?:[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?)?$/;

/**
 * The reason such a date is refused, with the way to map it (`where`: the column that cannot hold it);
 * undefined for any other value.
 */
export function zeroDateReason(value: unknown, where?: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const what = ZERO_DATE.test(text)
    ? "MySQL's zero date, which stands for no date"
    : ZERO_IN_DATE.test(text)
      ? 'a MySQL date with a zero month or day, which stands for a date partly unknown'
      : undefined;
  if (what === undefined) return undefined;
  const holder = where ? ` and which ${where} cannot hold` : '';
  // A partly known date may be personal (a birth date): the reason, shown unmasked, does not quote it.
  const nullIf = ZERO_DATE.test(text) ? `{ null_if: ["${text}"] }` : 'a null_if of such values';
  return `is ${what}${holder}: map it to null with ${nullIf} (before any date step), or onInvalid: null`;
}
