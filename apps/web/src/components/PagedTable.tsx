import type { ReactNode } from 'react';
import type { Page } from '../lib/paginate';
import { Pagination } from './Pagination';

export interface PagedTableProps<T> {
  /** Read by screen readers (the caption is visually hidden). */
  caption: string;
  columns: readonly string[];
  page: Page<T>;
  /** Names the pager for assistive technology ("Runs pages"). */
  pagerLabel: string;
  onPage: (page: number) => void;
  /** One `<tr>` per item of `page.items`. */
  row: (item: T) => ReactNode;
}

/** One page of a list as a table, with its pager: the shape the list pages share. */
export function PagedTable<T>({
  caption,
  columns,
  page,
  pagerLabel,
  onPage,
  row,
}: PagedTableProps<T>) {
  return (
    <>
      {page.items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{caption}</caption>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{page.items.map(row)}</tbody>
          </table>
        </div>
      ) : null}
      <Pagination
        label={pagerLabel}
        page={page.page}
        pages={page.pages}
        total={page.total}
        onPage={onPage}
      />
    </>
  );
}
