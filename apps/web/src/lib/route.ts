import { useEffect, useState } from 'react';

export const PAGES = [
  { id: 'datasets', title: 'Datasets' },
  { id: 'runs', title: 'Runs' },
  { id: 'models', title: 'Models' },
  { id: 'serving', title: 'Serving' },
  { id: 'monitoring', title: 'Monitoring' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

/** `#/runs` → `runs`; anything unknown → the first page. Hash routes need no server support. */
export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return PAGES.find((p) => p.id === id)?.id ?? 'datasets';
}

export function useHashPage(): PageId {
  const [page, setPage] = useState(() => pageFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return page;
}
