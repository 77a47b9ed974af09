/** Masks personal values in every output (`d***@e***.fr`, `06 ** ** ** 12`, `D*****`) unless samples are shown. */
import type { PersonalDataKind, ProfileValue } from '../core/profile.ts';

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Keeps the first code point and replaces every later letter or digit with `*` (separators stay). */
function maskKeepingFirst(text: string): string {
  const points = Array.from(text);
  let masked = points[0] ?? '';
  for (let i = 1; i < points.length; i++) masked += LETTER_OR_DIGIT.test(points[i]!) ? '*' : points[i]!;
  return masked;
}

/** `dupont@example.fr` → `d***@e***.fr`: first letters of the local part and domain, the top-level domain kept. */
function maskEmail(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return maskKeepingFirst(text);
  const domain = text.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${Array.from(text)[0] ?? ''}***@${Array.from(domain)[0] ?? ''}***${tld}`;
}

/** `06 12 34 56 12` → `06 ** ** ** 12`: the first two and last two digits kept, separators kept. */
function maskPhone(text: string): string {
  let digits = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) digits++;
  // An international number keeps its country code digits as well as the operator digit.
  const keepHead = text.startsWith('+33') ? 3 : 2;
  let seen = 0;
  let masked = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) {
      masked += text[i];
      continue;
    }
    masked += seen < keepHead || seen >= digits - 2 ? text[i] : '*';
    seen++;
  }
  return masked;
}

/** The masked form of a personal value of `kind`; every value becomes text. */
export function maskValue(value: ProfileValue, kind: PersonalDataKind): string {
  const text = String(value);
  if (kind === 'email') return maskEmail(text);
  if (kind === 'phone') return maskPhone(text);
  return maskKeepingFirst(text);
}
