/**
 * What a column's character set can hold and how many bytes a text takes in it. MySQL/MariaDB name the
 * charset of every text column (`latin1`, `utf8mb3`, `utf8mb4`…); SQL Server's non-Unicode `varchar`
 * holds the code page of its collation (`cp1252`, or `utf8` for a `_UTF8` collation). Single-byte
 * charsets are read from the WHATWG decoders Node ships, so their repertoire is exact.
 */

import iconv from 'iconv-lite';

/** What a charset can store. */
export interface Repertoire {
  /** The charset's name as the catalog reports it (for messages). */
  readonly name: string;
  /** `all`: every Unicode character; `bmp`: no character beyond U+FFFF (3-byte UTF-8, UCS-2); `set`: `chars`. */
  readonly kind: 'all' | 'bmp' | 'set';
  /** For `set`: the UTF-16 code units above U+007F the charset holds (ASCII is always held). */
  readonly chars?: ReadonlySet<number>;
  /** How the database counts bytes: UTF-8, one byte per character, UCS-2/UTF-16 units, or UTF-32. */
  readonly bytes: 'utf8' | 'single' | 'utf16' | 'utf32';
}

// MySQL/MariaDB charset names and SQL Server code pages → the WHATWG label of the same single-byte table.
const SINGLE_BYTE: Readonly<Record<string, string>> = {
  latin1: 'windows-1252', // MySQL's latin1 is cp1252
  latin2: 'iso-8859-2',
  latin5: 'windows-1254',
  latin7: 'iso-8859-13',
  greek: 'iso-8859-7',
  hebrew: 'iso-8859-8',
  koi8r: 'koi8-r',
  koi8u: 'koi8-u',
  cp866: 'ibm866',
  macroman: 'macintosh',
  cp1250: 'windows-1250',
  cp1251: 'windows-1251',
  cp1252: 'windows-1252',
  cp1253: 'windows-1253',
  cp1254: 'windows-1254',
  cp1255: 'windows-1255',
  cp1256: 'windows-1256',
  cp1257: 'windows-1257',
  cp1258: 'windows-1258',
  cp874: 'windows-874',
  tis620: 'windows-874',
};

// cp1252's 0x80–0x9F; MySQL's latin1 also maps the five bytes Windows leaves undefined to C1 controls.
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d,
  0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x9d, 0x017e, 0x0178,
];

// DOS code pages, which no WHATWG decoder reads: SQL Server's `SQL_Latin1_General_CP437_*` and `CP850_*`
// collations, MySQL's `dos` and `cp850` charsets.
const DOS_CODE_PAGES: Readonly<Record<string, string>> = {
  cp437: 'cp437',
  dos: 'cp437',
  cp850: 'cp850',
  cp852: 'cp852',
};

/** The upper half of a DOS code page, decoded by iconv-lite. */
function dosRepertoire(name: string, codePage: string): Repertoire {
  const chars = new Set<number>();
  for (let byte = 0x80; byte <= 0xff; byte++) {
    const text = iconv.decode(Buffer.of(byte), codePage);
    if (text.length === 1 && text !== '\ufffd') chars.add(text.charCodeAt(0));
  }
  return { name, kind: 'set', chars, bytes: 'single' };
}

const cache = new Map<string, Repertoire | undefined>();

/**
 * The repertoire of a charset name, or undefined when stocktake does not know it (multi-byte Asian code
 * pages, `binary`): such columns are not checked for encoding.
 */
export function repertoireOf(charset: string | undefined): Repertoire | undefined {
  if (charset === undefined) return undefined;
  const name = charset.toLowerCase();
  if (cache.has(name)) return cache.get(name);
  const found = buildRepertoire(name);
  cache.set(name, found);
  return found;
}

function buildRepertoire(name: string): Repertoire | undefined {
  if (name === 'utf8mb4' || name === 'utf8' || name === 'utf-8' || name === 'cp65001')
    return { name, kind: 'all', bytes: 'utf8' };
  // MySQL's `utf8` is an alias of utf8mb3 (3 bytes at most: no emoji); SQL Server's utf8 is named cp65001/utf8 above.
  if (name === 'utf8mb3') return { name, kind: 'bmp', bytes: 'utf8' };
  if (name === 'ucs2') return { name, kind: 'bmp', bytes: 'utf16' };
  if (name === 'utf16' || name === 'utf16le') return { name, kind: 'all', bytes: 'utf16' };
  if (name === 'utf32') return { name, kind: 'all', bytes: 'utf32' };
  if (name === 'ascii' || name === 'cp20127') return { name, kind: 'set', chars: new Set(), bytes: 'single' };
  const dos = DOS_CODE_PAGES[name];
  if (dos !== undefined) return dosRepertoire(name, dos);
  const label = SINGLE_BYTE[name];
  if (label === undefined) return undefined;
  const chars = new Set<number>();
  if (label === 'windows-1252') {
    // Node decodes windows-1252 as ISO-8859-1 (0x80–0x9F as C1 controls), so its upper half is spelled out.
    for (let c = 0xa0; c <= 0xff; c++) chars.add(c);
    for (const c of CP1252_80_9F) chars.add(c);
  } else {
    const decoder = new TextDecoder(label);
    for (let byte = 0x80; byte <= 0xff; byte++) {
      const text = decoder.decode(Uint8Array.of(byte));
      if (text.length === 1 && text !== '\ufffd') chars.add(text.charCodeAt(0));
    }
  }
  return { name, kind: 'set', chars, bytes: 'single' };
}

/**
 * The charset of a SQL Server non-Unicode column from its collation name: `_UTF8` collations store UTF-8,
 * the Latin1/French/Western ones code page 1252, other alphabets their Windows code page. Undefined when
 * the name says nothing stocktake knows (the column is then not checked for encoding).
 */
export function mssqlCodePage(collation: string | undefined): string | undefined {
  if (collation === undefined) return undefined;
  const name = collation.toLowerCase();
  if (name.includes('_utf8')) return 'utf8';
  // SQL collations name their code page, `CP1` being 1252 (`SQL_Latin1_General_CP1_CI_AS`, the default of
  // most installations in Western Europe and the Americas).
  const legacy = /^sql_.*_cp(\d+)_/.exec(name);
  if (legacy) return legacy[1] === '1' ? 'cp1252' : `cp${legacy[1]}`;
  const prefix = name.split('_')[0]!;
  return MSSQL_COLLATION_CODE_PAGES[prefix];
}

// Windows collation name prefixes → their code page (the common ones; Asian double-byte pages are left out).
const MSSQL_COLLATION_CODE_PAGES: Readonly<Record<string, string>> = {
  latin1: 'cp1252',
  french: 'cp1252',
  german: 'cp1252',
  modern: 'cp1252',
  danish: 'cp1252',
  finnish: 'cp1252',
  icelandic: 'cp1252',
  mexican: 'cp1252',
  traditional: 'cp1252',
  spanish: 'cp1252',
  polish: 'cp1250',
  czech: 'cp1250',
  hungarian: 'cp1250',
  croatian: 'cp1250',
  romanian: 'cp1250',
  slovak: 'cp1250',
  slovenian: 'cp1250',
  albanian: 'cp1250',
  cyrillic: 'cp1251',
  ukrainian: 'cp1251',
  macedonian: 'cp1251',
  greek: 'cp1253',
  turkish: 'cp1254',
  hebrew: 'cp1255',
  arabic: 'cp1256',
  estonian: 'cp1257',
  latvian: 'cp1257',
  lithuanian: 'cp1257',
  vietnamese: 'cp1258',
  thai: 'cp874',
};

/** The first code point of `text` the repertoire cannot hold, or -1. */
export function firstUnencodable(text: string, repertoire: Repertoire): number {
  if (repertoire.kind === 'all') return -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c >= 0xd800 && c <= 0xdfff) return text.codePointAt(i)!;
    if (repertoire.kind === 'set' && !repertoire.chars!.has(c)) return c;
  }
  return -1;
}

/** `text` with each character the repertoire cannot hold replaced by `?`, as a lossy database would. */
export function replaceUnencodable(text: string, repertoire: Repertoire): string {
  let out = '';
  for (const char of text) {
    const c = char.codePointAt(0)!;
    const held =
      c < 0x80 ||
      (c <= 0xffff && (c < 0xd800 || c > 0xdfff) && (repertoire.kind === 'bmp' || repertoire.chars!.has(c)));
    out += held ? char : '?';
  }
  return out;
}

/** Bytes `text` takes in the charset. */
export function byteLength(text: string, bytes: Repertoire['bytes']): number {
  switch (bytes) {
    case 'utf8':
      return Buffer.byteLength(text, 'utf8');
    case 'utf16':
      return text.length * 2;
    case 'utf32': {
      let n = 0;
      for (const _ of text) n += 4;
      return n;
    }
    default: {
      let n = 0;
      for (const _ of text) n++;
      return n;
    }
  }
}

/** The longest prefix of `text`, cut between characters, that fits in `max` bytes. */
export function truncateBytes(text: string, max: number, bytes: Repertoire['bytes']): string {
  let used = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char, bytes);
    if (used + size > max) break;
    used += size;
    end += char.length;
  }
  return wholeGraphemes(text, end);
}

const GRAPHEMES = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * `text` cut at `end` (UTF-16 units), moved back to the last whole grapheme: a cut between `e` and its
 * combining accent would keep a bare `e`, one inside an emoji sequence half of it.
 */
export function wholeGraphemes(text: string, end: number): string {
  if (end >= text.length) return text;
  // An ASCII letter before and after the cut: no grapheme crosses it.
  if (text.charCodeAt(end) < 0x80 && (end === 0 || text.charCodeAt(end - 1) < 0x80))
    return text.slice(0, end);
  let whole = 0;
  for (const { index, segment } of GRAPHEMES.segment(text)) {
    if (index + segment.length > end) break;
    whole = index + segment.length;
  }
  return text.slice(0, whole);
}

/** `U+1F600`: how a reason names a character without repeating the value. */
export function codePointName(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}
