/**
 * Turns the header cells of a file or sheet into unique column names: a blank header becomes
 * `column_3` (its 1-based position), a repeated one `name_2`, `name_3`; every change is reported.
 */

/** The names to use, and which headers were blank or repeated. */
export interface HeaderNames {
  readonly names: string[];
  /** 1-based positions of blank headers. */
  readonly blank: number[];
  /** Repeated header texts and the names given to their repeats. */
  readonly duplicates: { readonly header: string; readonly renamedTo: string[] }[];
}

/** Makes header texts unique and non-blank. */
export function uniqueHeaderNames(headers: readonly (string | null | undefined)[]): HeaderNames {
  const blank: number[] = [];
  const trimmed = headers.map((header, i) => {
    const text = (header ?? '').replace(/\s+/g, ' ').trim();
    if (text === '') blank.push(i + 1);
    return text;
  });
  const taken = new Set(trimmed.filter((text) => text !== ''));
  const seen = new Map<string, number>();
  const renamed = new Map<string, string[]>();
  const names = trimmed.map((text, i) => {
    if (text === '') return freeName(`column_${i + 1}`, taken);
    const times = (seen.get(text) ?? 0) + 1;
    seen.set(text, times);
    if (times === 1) return text;
    const name = freeName(`${text}_${times}`, taken);
    renamed.set(text, [...(renamed.get(text) ?? []), name]);
    return name;
  });
  return { names, blank, duplicates: [...renamed].map(([header, renamedTo]) => ({ header, renamedTo })) };
}

function freeName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let n = 2; taken.has(name); n++) name = `${wanted}_${n}`;
  taken.add(name);
  return name;
}
