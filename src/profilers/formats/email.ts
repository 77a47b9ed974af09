/**
 * Recognises e-mail addresses with validator's `isEmail`, the check most web stacks already apply.
 * A plain ASCII address (no quoted local part) is decided by `plainEmailVerdict`, which applies the
 * same rules (default options) in one pass over the characters: validator's splits, regexes and
 * `encodeURI` byte counts cost about 10 µs a value, the largest part of profiling an e-mail column.
 * Anything else (non-ASCII, quotes) goes to validator.
 */
import validator from 'validator';

/** True for an e-mail address (`dupont@example.fr`); the cheap `@` test spares the regex most values. */
export function isEmailFormat(text: string): boolean {
  if (text.length > 254 || !text.includes('@')) return false;
  const verdict = plainEmailVerdict(text);
  return verdict === undefined ? validator.isEmail(text) : verdict;
}

// Character classes of ASCII codes for validator's defaults: 1 a letter, 2 a digit, 4 a hyphen,
// 8 allowed in a local-part atom (`emailUserPart`: letters, digits and !#$%&'*+-/=?^_`{|}~).
const LETTER = 1;
const DIGIT = 2;
const HYPHEN = 4;
const ATOM = 8;
const CLASSES = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[a-z]/i.test(char)) CLASSES[code]! |= LETTER | ATOM;
  if (/\d/.test(char)) CLASSES[code]! |= DIGIT | ATOM;
  if ("!#$%&'*+-/=?^_`{|}~".includes(char)) CLASSES[code]! |= ATOM;
}
CLASSES[45]! |= HYPHEN;

const DOT = 46;
const QUOTE = 34;

/**
 * validator.isEmail's answer (default options) for an ASCII text of at most 254 characters, or
 * undefined when the text is not ASCII or its local part holds a quote (validator decides those). The
 * rules, for ASCII: the domain is what follows the last `@`, of at most 254 bytes; the local part
 * (before it) has at most 64 bytes, and its dot-separated atoms are non-empty runs of atom characters
 * (so a second `@` fails). The domain has at least two dot-separated labels, each 1–63 letters, digits
 * and inner hyphens; the last one (the TLD) is two letters or more, or `xn` and two or more letters,
 * digits or hyphens.
 */
export function plainEmailVerdict(text: string): boolean | undefined {
  const at = text.lastIndexOf('@');
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || (code === QUOTE && i < at)) return undefined;
  }
  if (at > 64 || text.length - at - 1 > 254) return false;
  return isPlainLocalPart(text, at) && isPlainDomain(text, at + 1);
}

/** validator's `emailUserPart` on every dot-separated atom of `text[0, end)`. */
function isPlainLocalPart(text: string, end: number): boolean {
  let atomLength = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === DOT) {
      if (atomLength === 0) return false;
      atomLength = 0;
    } else if (CLASSES[code]! & ATOM) atomLength++;
    else return false;
  }
  return atomLength > 0;
}

/** validator's `isFQDN` (require_tld, no underscores, no trailing dot) on `text[start, length)`. */
function isPlainDomain(text: string, start: number): boolean {
  let labels = 0;
  let labelStart = start;
  for (let i = start; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : DOT;
    if (code !== DOT) {
      if (!(CLASSES[code]! & (LETTER | DIGIT | HYPHEN))) return false;
      continue;
    }
    const length = i - labelStart;
    if (length === 0 || length > 63) return false;
    if (CLASSES[text.charCodeAt(labelStart)]! & HYPHEN || CLASSES[text.charCodeAt(i - 1)]! & HYPHEN)
      return false;
    labels++;
    if (i === text.length) return labels >= 2 && isPlainTld(text, labelStart, i);
    labelStart = i + 1;
  }
  return false;
}

/** validator's TLD pattern for ASCII: `[a-z]{2,}` or `xn[a-z0-9-]{2,}`, case aside. */
function isPlainTld(text: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  let letters = true;
  for (let i = start; i < end; i++) if (!(CLASSES[text.charCodeAt(i)]! & LETTER)) letters = false;
  if (letters) return true;
  // Every character is already a letter, digit or hyphen (label rule); `xn` and two more.
  const x = text.charCodeAt(start) | 0x20;
  const n = text.charCodeAt(start + 1) | 0x20;
  return x === 120 && n === 110 && end - start >= 4;
}
