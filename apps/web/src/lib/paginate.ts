export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

/** One page of a list (1-based, clamped into range so a shrinking list never shows nothing). */
export function paginate<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const start = (current - 1) * size;
  return { items: items.slice(start, start + size), page: current, pages, total: items.length };
}
