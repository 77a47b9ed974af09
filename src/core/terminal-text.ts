/**
 * Text as a terminal prints it without obeying it: a name read from a source (a table called
 * `t\x1b]0;title\x07`, a file `ctl\x1b[31m.csv`) could otherwise set the window title, clear the screen
 * or move the cursor over earlier lines. Control characters other than tab and line feed are written as
 * `\xHH` (C0, DEL, C1) and the bidirectional overrides as `\u{HHHH}`.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

/** `text` with its terminal control characters written out. */
export function terminalText(text: string): string {
  return CONTROL.test(text)
    ? text.replace(CONTROLS, (ch) => {
        const code = ch.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
      })
    : text;
}
