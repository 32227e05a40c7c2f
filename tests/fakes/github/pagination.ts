/**
 * GitHub's page-number pagination: `per_page` (default 30, at most 100) and `page`, with a
 * `Link` header naming first/prev/next/last pages, as `octokit.paginate` follows it.
 */
export interface Page<T> {
  items: T[];
  /** the Link header value, when there is more than one page */
  link: string | undefined;
}

export function paginate<T>(all: readonly T[], params: Record<string, unknown>, requestUrl: URL, maxPerPage = 100): Page<T> {
  const perPage = Math.min(Math.max(numberParam(params.per_page, 30), 1), maxPerPage);
  const page = Math.max(numberParam(params.page, 1), 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(Math.ceil(all.length / perPage), 1);
  if (last === 1) return { items, link: undefined };
  const at = (n: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return url.href;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${at(Math.min(page - 1, last))}>; rel="prev"`);
  if (page < last) rels.push(`<${at(page + 1)}>; rel="next"`);
  if (page < last) rels.push(`<${at(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${at(1)}>; rel="first"`);
  return { items, link: rels.join(', ') };
}

function numberParam(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}
