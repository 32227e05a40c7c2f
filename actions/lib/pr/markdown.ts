/**
 * Markdown building blocks for the pull-request report. `escapeMarkdown` is the one escape for
 * every value that came from data (class names, feature names, cell values, error messages): in
 * a fork's pull request all of it is the author's, so none of it may become markup, a link, an
 * HTML tag or a mention.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Plain text for a Markdown table cell or paragraph: one line, no markup, no HTML, no mentions, no autolinks. */
export function escapeMarkdown(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return (
    s
      // one line: a newline would end a table row or start a block
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/[&<>"']/g, (c) => HTML[c]!)
      // every ASCII punctuation mark GFM lets a backslash escape that could start markup or a link
      .replace(/[\\`*_{}[\]()#+\-.!|~^:=]/g, '\\$&')
      .replace(/@/g, '&#64;')
  );
}

/** A number for a report: integers as they are, others with four decimals. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/** A signed difference, `+0.0333` / `−0.0100` / `±0`. */
export function formatDelta(v: number): string {
  if (Math.abs(v) < 5e-5) return '±0';
  return `${v > 0 ? '+' : '−'}${formatNumber(Math.abs(v))}`;
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** A GFM table; cells must already be safe Markdown (escaped where they came from data). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export interface FitOptions {
  /** The most characters the text may have (GitHub: 65,536 per comment). */
  limit: number;
  /** What follows a cut: where the reader finds the rest. */
  pointer: string;
}

/**
 * The text if it fits; else cut at the last line break that leaves room for the pointer, with
 * the pointer appended. An open `<details>` block is closed so the pointer stays visible.
 */
export function fitToLimit(markdown: string, options: FitOptions): { text: string; cut: boolean } {
  if (markdown.length <= options.limit) return { text: markdown, cut: false };
  const closing = '\n</details>\n';
  const room = options.limit - options.pointer.length - closing.length - 4;
  let head = markdown.slice(0, Math.max(0, room));
  const lastBreak = head.lastIndexOf('\n');
  if (lastBreak > 0) head = head.slice(0, lastBreak);
  const open = (head.match(/<details>/g) ?? []).length - (head.match(/<\/details>/g) ?? []).length;
  return { text: `${head}\n${open > 0 ? closing : '\n'}${options.pointer}`, cut: true };
}
