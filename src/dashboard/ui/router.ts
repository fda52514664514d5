/**
 * Hash routes (`#/pods/default/web-1`), so the dashboard works under any path
 * prefix: `/ui/`, `kubectl proxy`, or the service proxy URL of seed 003.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** view is the first path segment (`overview`, `list`, `pod`, ...). */
  view: string;
  params: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path, q = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { view: parts[0] ?? 'overview', params: parts.slice(1), query: new URLSearchParams(q) };
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
