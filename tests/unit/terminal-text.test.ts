import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/core/terminal-text.ts';

describe('text printed on a terminal', () => {
  it('writes out control characters a name could use to drive the terminal', () => {
    expect(terminalText('t\u001b]0;PWNED\u0007\u001b[2J')).toBe('t\\x1b]0;PWNED\\x07\\x1b[2J');
    expect(terminalText('ctl\u001b[31m.csv')).toBe('ctl\\x1b[31m.csv');
    expect(terminalText('a\rb\u009bc\u202ed')).toBe('a\\x0db\\x9bc\\u{202e}d');
    // Twice in a row: no state kept between calls.
    expect(terminalText('x\u001by')).toBe('x\\x1by');
  });

  it('leaves tabs, line feeds and ordinary text as they are', () => {
    expect(terminalText('• clients.csv: 1,234 rows\n\tÉté — 😀')).toBe(
      '• clients.csv: 1,234 rows\n\tÉté — 😀',
    );
  });
});
