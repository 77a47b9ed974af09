/**
 * Numbers as French text, for the French messages of findings, rules and penalties that reports written
 * in French (`--lang fr`) show: `1 146`, `21,2 %`, `0,5`.
 */
const COUNT = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

/** A count with French digit grouping: `1 146`. */
export function frCount(n: number): string {
  return COUNT.format(n);
}

/**
 * A rate (0.212) as a French percentage with one decimal: `21,2 %`, rounded as the English messages'
 * `toFixed(1)` rounds it, so both languages show the same figure.
 */
export function frPercent(rate: number): string {
  return `${(rate * 100).toFixed(1).replace('.', ',')}\u00a0%`;
}

/** A number as JavaScript writes it, with a decimal comma: `0,5`, `-12345,75`, `1,23457e-25`. */
export function frNumber(x: number): string {
  return String(x).replace('.', ',');
}
