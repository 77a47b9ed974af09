/**
 * Numbers as French text, for the French messages of findings, rules and penalties that reports written
 * in French (`--lang fr`) show: `1 146`, `21,2 %`, `0,5`.
 */
const COUNT = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const NUMBER = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 20, useGrouping: false });

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

/** A number with a decimal comma and no grouping: `0,5`, `-12.75` as `-12,75`. */
export function frNumber(x: number): string {
  return NUMBER.format(x);
}
