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
 * A rate (0.212) as a percentage with one decimal, `21.2%`, or with as many more (up to four) as it takes
 * not to show a rate that is neither 0 nor 1 as `0.0%` or `100.0%`: one odd value in 3,000 is `99.97%`.
 */
export function percentText(rate: number): string {
  return `${percentDigits(rate)}%`;
}

/** The same figure as `percentText`, in French: `21,2 %`, `99,97 %`. */
export function frPercent(rate: number): string {
  return `${percentDigits(rate).replace('.', ',')}\u00a0%`;
}

function percentDigits(rate: number): string {
  const p = rate * 100;
  let digits = 1;
  while (digits < 4) {
    const shown = Number(p.toFixed(digits));
    if (!((p > 0 && shown === 0) || (p < 100 && shown === 100))) break;
    digits++;
  }
  return p.toFixed(digits);
}

/** A number as JavaScript writes it, with a decimal comma: `0,5`, `-12345,75`, `1,23457e-25`. */
export function frNumber(x: number): string {
  return String(x).replace('.', ',');
}
