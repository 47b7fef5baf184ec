/**
 * A list over one of our list endpoints, sorted, filtered and paged by the server (TanStack Table in manual
 * mode): the page and its size go as `page`/`page_size`, the sort as `sort=field,-field`, the total comes back
 * in the `X-Pagination` header (or `X-Total-Count`).
 */
import {
  type ColumnDef,
  type PaginationState,
  type SortingState,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "preact/hooks";
import { request } from "../../api";
import { t } from "../../i18n";
import { ErrorPanel } from "./ErrorPanel";

export type Params = Record<string, string | number | boolean | string[] | null | undefined>;

/** Our query string: lists repeat the key (`status=a&status=b`), empty values are left out. */
export function query(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((item) => search.append(key, item));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export interface GridProps<T> {
  endpoint: string;
  params?: Params;
  columns: ColumnDef<T, unknown>[];
  /** Column ids the server sorts by (the endpoint's `sort` fields). */
  sortable?: string[];
  initialSort?: SortingState;
  pageSize?: number;
  testId: string;
  caption: string;
  /** Told of each page's rows and the total (e.g. to fetch names the rows refer to). */
  onPage?: (rows: T[], total: number) => void;
  empty?: string;
  /** Change it to load the page again (after a change made on the screen). */
  reloadKey?: number;
}

interface Page<T> {
  rows: T[];
  total: number;
}

export function DataGrid<T>(props: GridProps<T>) {
  const [sorting, setSorting] = useState<SortingState>(props.initialSort ?? []);
  const [pagination, setPagination] = useState<PaginationState>({ pageIndex: 0, pageSize: props.pageSize ?? 25 });
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const paramsKey = JSON.stringify(props.params ?? {});

  // A new filter starts again on the first page.
  useEffect(() => setPagination((current) => ({ ...current, pageIndex: 0 })), [paramsKey, props.endpoint]);

  useEffect(() => {
    const controller = new AbortController();
    const sort = sorting.map((item) => (item.desc ? `-${item.id}` : item.id)).join(",");
    const url =
      props.endpoint +
      query({ ...(props.params ?? {}), page: pagination.pageIndex + 1, page_size: pagination.pageSize, sort });
    setLoading(true);
    request(url, { signal: controller.signal })
      .then(async (response) => {
        const rows = ((await response?.json()) ?? []) as T[];
        const header = response?.headers.get("X-Pagination");
        const counted = response?.headers.get("X-Total-Count");
        const total = header ? Number((JSON.parse(header) as { total?: number }).total ?? rows.length) : counted ? Number(counted) : rows.length;
        setPage({ rows, total });
        setError(null);
        setLoading(false);
        props.onPage?.(rows, total);
      })
      .catch((reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason);
        setLoading(false);
      });
    return () => controller.abort();
  }, [props.endpoint, paramsKey, sorting, pagination, props.reloadKey]);

  const sortable = useMemo(() => new Set(props.sortable ?? []), [props.sortable]);
  const table = useReactTable<T>({
    data: page?.rows ?? [],
    columns: props.columns,
    state: { sorting, pagination },
    manualSorting: true,
    manualPagination: true,
    enableMultiSort: false,
    rowCount: page?.total ?? 0,
    onSortingChange: setSorting,
    onPaginationChange: setPagination,
    getCoreRowModel: getCoreRowModel(),
  });

  const total = page?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / pagination.pageSize));
  const first = total ? pagination.pageIndex * pagination.pageSize + 1 : 0;
  const last = Math.min(total, (pagination.pageIndex + 1) * pagination.pageSize);

  return (
    <div class="grid" data-testid={props.testId} aria-busy={loading}>
      {error ? <ErrorPanel error={error} /> : null}
      <div class="grid-scroll" tabIndex={0}>
        <table>
          <caption class="sr-only">{props.caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const id = header.column.id;
                  const sorted = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                    >
                      {sortable.has(id) ? (
                        <button type="button" class="sort" onClick={header.column.getToggleSortingHandler()}>
                          {label}
                          <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : " ↕"}</span>
                        </button>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} class={(cell.column.columnDef.meta as { className?: string } | undefined)?.className}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
            {!loading && page && page.rows.length === 0 ? (
              <tr>
                <td colSpan={props.columns.length} class="empty">
                  {props.empty ?? t("office.grid.empty")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <span data-testid={`${props.testId}-total`} data-total={total}>
          {t("office.grid.range", { first, last, total })}
        </span>
        <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
          {t("office.grid.previous")}
        </button>
        <span>{t("office.grid.page", { page: pagination.pageIndex + 1, pages })}</span>
        <button type="button" onClick={() => table.nextPage()} disabled={pagination.pageIndex + 1 >= pages}>
          {t("office.grid.next")}
        </button>
        <label class="page-size">
          {t("office.grid.pageSize")}
          <select
            value={pagination.pageSize}
            onChange={(event) => table.setPageSize(Number((event.target as HTMLSelectElement).value))}
          >
            {[25, 50, 100].map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}
