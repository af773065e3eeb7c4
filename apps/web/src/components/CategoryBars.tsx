import { formatNumber } from '../lib/chart';

/** Counts of categories as labelled horizontal bars (readable where a bare SVG would not be). */
export function CategoryBars({
  title,
  items,
}: {
  title: string;
  items: ReadonlyArray<{ label: string; value: number }>;
}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul className="category-bars" aria-label={title}>
      {items.map((i) => (
        <li key={i.label}>
          <span className="category-label" title={i.label}>
            {i.label}
          </span>
          <span className="category-track" aria-hidden="true">
            <span className="category-fill" style={{ width: `${(i.value / max) * 100}%` }} />
          </span>
          <span className="category-value">{formatNumber(i.value)}</span>
        </li>
      ))}
    </ul>
  );
}
