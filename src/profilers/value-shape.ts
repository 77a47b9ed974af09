/** Value shapes (`Dupont SARL` → `Aa A`), the pattern view of a column. */

/** Shapes are cut here: a 10 MB value must not produce a 10 MB pattern. */
const MAX_SHAPE = 64;
const UPPER = /\p{Lu}/u;
const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;
const SPACE = /\s/u;

function shapeCharOf(char: string): string {
  if (DIGIT.test(char)) return '9';
  if (UPPER.test(char)) return 'A';
  if (LETTER.test(char)) return 'a';
  if (SPACE.test(char)) return ' ';
  return char;
}

/**
 * The shape of a value: uppercase letters → `A`, other letters → `a`, digits → `9`, whitespace → one
 * space, other characters kept, and every run of the same shape character collapsed to one; shapes
 * longer than 64 characters end in `…`.
 */
export function shapeOf(text: string): string {
  let shape = '';
  let last = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let char: string;
    // ASCII without a regex: the common case.
    if (code >= 48 && code <= 57) char = '9';
    else if (code >= 65 && code <= 90) char = 'A';
    else if (code >= 97 && code <= 122) char = 'a';
    else if (code === 32 || code === 9 || code === 10 || code === 13) char = ' ';
    else if (code < 128) char = text[i]!;
    else {
      const point = text.codePointAt(i)!;
      const whole = String.fromCodePoint(point);
      if (point > 0xffff) i++;
      char = shapeCharOf(whole);
    }
    if (char === last) continue;
    if (shape.length >= MAX_SHAPE) return `${shape}…`;
    shape += char;
    last = char;
  }
  return shape;
}
