import { useEffect, useState } from 'react';

export const PAGES = [
  { id: 'datasets', title: 'Datasets' },
  { id: 'runs', title: 'Runs' },
  { id: 'models', title: 'Models' },
  { id: 'pipelines', title: 'Pipelines' },
  { id: 'serving', title: 'Serving' },
  { id: 'monitoring', title: 'Monitoring' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

/** `#/runs` → `runs`; anything unknown → the first page. Hash routes need no server support. */
export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return PAGES.find((p) => p.id === id)?.id ?? 'datasets';
}

/** `#/models?model=iris&version=2` → `iris` for `model`: what a link asks the page to open. */
export function hashParam(hash: string, name: string): string | null {
  const q = hash.indexOf('?');
  return q < 0 ? null : new URLSearchParams(hash.slice(q + 1)).get(name);
}

/** The link to a page, opening what `params` name (`#/pipelines?run=abc`). */
export function pageHref(page: PageId, params: Record<string, string> = {}): string {
  const q = new URLSearchParams(params).toString();
  return `#/${page}${q ? `?${q}` : ''}`;
}

function useHash<T>(read: (hash: string) => T): T {
  const [value, setValue] = useState(() => read(window.location.hash));
  useEffect(() => {
    const onChange = () => setValue(read(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
    // `read` is a module-level function or a closure over a constant name: subscribe once.
  }, []);
  return value;
}

export function useHashPage(): PageId {
  return useHash(pageFromHash);
}

/** One parameter of the hash, kept current as links change it. */
export function useHashParam(name: string): string | null {
  return useHash((hash) => hashParam(hash, name));
}

/** The parameter the page was opened with (read once: later choices are the page's own). */
export function initialHashParam(name: string): string | null {
  return typeof window === 'undefined' ? null : hashParam(window.location.hash, name);
}
