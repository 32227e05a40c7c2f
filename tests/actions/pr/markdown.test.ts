import { describe, expect, it } from 'vitest';
import { escapeMarkdown, fitToLimit, formatDelta } from '../../../actions/lib/pr/markdown.ts';
import { COMMENT_LIMIT, commentBody } from '../../../actions/lib/pr/report-markdown.ts';

describe('escapeMarkdown', () => {
  it('leaves no markup, HTML, link, mention or line break in data values', () => {
    const hostile = '<img src=x onerror=alert(1)> **bold** [click](https://evil.example) @admin `code` | cell\n# heading <!-- -->';
    const escaped = escapeMarkdown(hostile);
    expect(escaped).not.toMatch(/[<>\n]/);
    expect(escaped).not.toContain('@');
    expect(escaped.replace(/&#?\w+;/g, '')).not.toMatch(/(^|[^\\])[*[\]`|#(]/);
    expect(escaped).toContain('&lt;img src\\=x onerror\\=alert\\(1\\)&gt;');
    expect(escaped).toContain('&#64;admin');
  });

  it('gives plain text back for plain words and renders null as empty', () => {
    expect(escapeMarkdown('setosa')).toBe('setosa');
    expect(escapeMarkdown(null)).toBe('');
    expect(escapeMarkdown(3)).toBe('3');
  });
});

describe('fitToLimit and the comment body', () => {
  it('keeps a short text as it is', () => {
    expect(fitToLimit('short', { limit: 10, pointer: 'p' })).toEqual({ text: 'short', cut: false });
  });

  it('cuts at a line break, closes an open details block and points to the job summary', () => {
    const long = `<details>\n${Array.from({ length: 20000 }, (_, i) => `| row ${i} | x |`).join('\n')}\n</details>\n`;
    const body = commentBody(long, 'https://github.com/acme/models/actions/runs/1');
    expect(long.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toMatch(/\| row \d+ \| x \|\n\n<\/details>\n---\n✂️ This report is cut here/);
    expect(body).toContain('[job summary](https://github.com/acme/models/actions/runs/1)');
  });
});

describe('formatDelta', () => {
  it('signs differences and calls tiny ones none', () => {
    expect([formatDelta(0.0333), formatDelta(-0.01), formatDelta(1e-9), formatDelta(2)]).toEqual(['+0.0333', '−0.0100', '±0', '+2']);
  });
});
