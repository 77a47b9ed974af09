/** MySQL's zero date (`0000-00-00`, `0000-00-00 00:00:00`), which stands for no date, in a reject's reason. */
const ZERO_DATE = /^0000-00-00(?:[ T]00:00:00(?:\.0+)?)?$/;

/**
 * The reason a zero date is refused, with the way to map it (`where`: the column that cannot hold it);
 * undefined for any other value.
 */
export function zeroDateReason(value: unknown, where?: string): string | undefined {
  if (typeof value !== 'string' || !ZERO_DATE.test(value.trim())) return undefined;
  const holder = where ? ` and which ${where} cannot hold` : '';
  return `is MySQL's zero date, which stands for no date${holder}: map it to null with { null_if: ["${value.trim()}"] } (before any date step), or onInvalid: null`;
}
