import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, CsvTokenizer, type RecordSink } from '../../src/connectors/csv/csv-tokenizer.ts';

function tokenize(bytes: Buffer, cuts: readonly number[], delimiter = ','): RecordSink & { empty: number } {
  const tokenizer = new CsvTokenizer(delimiter, '"', 1 << 20);
  const sink: RecordSink = { records: [], endLines: [] };
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    tokenizer.push(bytes.subarray(from, cut), false, sink);
    from = cut;
  }
  tokenizer.push(bytes.subarray(from), true, sink);
  return { ...sink, empty: tokenizer.emptyLines };
}

describe('CSV tokenizer', () => {
  it('reads quotes, escaped quotes, line breaks in fields and every line ending, with end lines', () => {
    const text = 'a,b\r\n"x ""y""","1\n2"\n\nc,d\re,"\u00e9t\u00e9"';
    const result = tokenize(Buffer.from(text), []);
    expect(result.records).toEqual([
      ['a', 'b'],
      ['x "y"', '1\n2'],
      ['c', 'd'],
      ['e', 'été'],
    ]);
    expect(result.endLines).toEqual([1, 3, 5, 6]);
    expect(result.empty).toBe(1);
  });

  it('keeps a quote that does not end its field as text (relaxed quotes)', () => {
    expect(tokenize(Buffer.from('"ab"cd,x"y\n'), []).records).toEqual([['"ab"cd', 'x"y']]);
  });

  it('splits on a delimiter of several characters', () => {
    expect(tokenize(Buffer.from('a||b||"c||d"\n'), [2, 3], '||').records).toEqual([['a', 'b', 'c||d']]);
  });

  it('names the line where an unclosed quote opens', () => {
    const error = (() => {
      try {
        tokenize(Buffer.from('a\n\n"b\nc\n'), [4]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(3);
  });

  it('gives the same records and lines however the bytes are cut into chunks', () => {
    const cell = fc.stringMatching(/^[a-zé",\r\n ]{0,6}$/);
    const quoted = cell.map((s) => `"${s.replaceAll('"', '""')}"`);
    const plain = fc.stringMatching(/^[a-zé ]{0,5}$/);
    const line = fc.array(fc.oneof(quoted, plain), { minLength: 1, maxLength: 4 }).map((c) => c.join(','));
    const file = fc.tuple(
      fc.array(line, { minLength: 1, maxLength: 8 }),
      fc.constantFrom('\n', '\r\n', '\r'),
    );
    fc.assert(
      fc.property(file, fc.array(fc.nat(), { maxLength: 6 }), ([lines, eol], cuts) => {
        const bytes = Buffer.from(lines.join(eol) + eol);
        const whole = tokenize(bytes, []);
        const chunked = tokenize(
          bytes,
          cuts.map((c) => c % (bytes.length + 1)),
        );
        expect(chunked).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  // The tokenizer replaces csv-parse on the read path for speed; it must read exactly what csv-parse,
  // configured as stocktake configured it, reads from the same bytes (a quote inside an unquoted field
  // included: relaxed quotes).
  it('reads every generated file exactly as csv-parse does', () => {
    const delimiter = fc.constantFrom(',', ';', '\t', '|');
    const cell = fc.stringMatching(/^[a-zé",;|\t\r\n ]{0,6}$/);
    fc.assert(
      fc.property(
        delimiter,
        fc.array(fc.array(fc.tuple(fc.boolean(), cell), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        (sep, rows, eol, blankLine) => {
          const line = (cells: readonly (readonly [boolean, string])[]) =>
            cells
              .map(([quoted, text]) =>
                quoted || /^"|[\r\n]/.test(text) || text.includes(sep)
                  ? `"${text.replaceAll('"', '""')}"`
                  : text,
              )
              .join(sep);
          const lines = rows.map(line);
          if (blankLine) lines.splice(1, 0, '');
          const text = lines.join(eol) + eol;
          const expected = parse(text, {
            delimiter: sep,
            quote: '"',
            relax_quotes: true,
            relax_column_count: true,
            skip_empty_lines: true,
            record_delimiter: ['\r\n', '\n', '\r'],
          }) as string[][];
          expect(tokenize(Buffer.from(text), [], sep).records).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
  it('keeps no chunk alive through the short values it keeps', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 100 chunks of 256 KB whose first record holds values of 1 to 13 bytes, the longest a table
    // might keep: held by a slice, each would keep its chunk's text (25 MB in all) alive.
    const kept: string[] = [];
    const chunk = (i: number) => {
      const head = Array.from({ length: 13 }, (_, n) => String(i % 10).repeat(n + 1)).join(',');
      return Buffer.from(`${head}\n${'x,'.repeat(128 * 1024 - head.length)}\n`);
    };
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < 100; i++) {
      const sink: RecordSink = { records: [], endLines: [] };
      new CsvTokenizer(',', '"', 1 << 20).push(chunk(i), true, sink);
      kept.push(...sink.records[0]!);
    }
    gc();
    const after = process.memoryUsage();
    expect(kept[13 * 99 + 12]).toBe('9'.repeat(13));
    const grown = after.heapUsed + after.external - before.heapUsed - before.external;
    expect(grown).toBeLessThan(5 * 1024 * 1024);
  });
});
