/**
 * 405 or 404: for a path no route answered, the methods that do have a route for it, found by
 * matching the app's own routes (so there is no second table of paths to keep in step).
 */
import { TrieRouter } from 'hono/router/trie-router';

/** `routes`: the app's (`app.routes`); returns the other methods a path has, sorted. */
export function allowedMethods(routes: readonly { method: string; path: string }[]): (path: string) => string[] {
  const router = new TrieRouter<string>();
  for (const r of routes) if (r.method !== 'ALL') router.add(r.method, r.path, r.method);
  const methods = [...new Set(routes.map((r) => r.method).filter((m) => m !== 'ALL'))];
  return (path) => methods.filter((m) => router.match(m, path)[0].length > 0).sort();
}
