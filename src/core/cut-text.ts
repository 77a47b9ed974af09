/** Cutting long text for display: the profile's listed values, the report's samples, a workbook's cells. */

/**
 * `text` when it holds at most `max` UTF-16 units, else its first `max - 1` units and `…`, cut between two
 * code points (a surrogate pair is never split).
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
