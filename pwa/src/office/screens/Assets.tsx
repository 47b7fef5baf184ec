/**
 * Assets: the board (counts by status per project, each a link into the list), the list, and one asset's card
 * with what its meters and door sensors say.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { AssetSignals } from "../components/AssetSignals";
import { DataGrid } from "../components/DataGrid";
import { ErrorPanel } from "../components/ErrorPanel";
import { Choose } from "../components/Choose";
import { useOptions } from "../components/Options";
import { StackedBars } from "../components/StackedBars";
import { day, instant } from "../format";
import { useResource } from "../hooks";
import { useQueryState } from "../urlstate";

export const ASSET_STATUSES = ["vacant", "reserved", "pending_delivery", "leased", "maintenance", "renovation", "retired"];
const COLORS: Record<string, string> = {
  vacant: "#b71c1c",
  reserved: "#7a4f00",
  pending_delivery: "#e65100",
  leased: "#1b5e20",
  maintenance: "#0d47a1",
  renovation: "#4a148c",
  retired: "#616161",
};

interface ProjectCounts {
  project_id: number;
  project_code: string;
  project_name: string;
  counts: Record<string, number>;
  total: number;
}

export function AssetBoard() {
  const [rows, setRows] = useState<ProjectCounts[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    api<{ id: number }[]>("/api/projects?page_size=500&sort=code")
      .then((projects) => Promise.all(projects.map((project) => api<ProjectCounts>(`/api/board/projects/${project.id}`))))
      .then((found) => live && setRows(found))
      .catch((reason: unknown) => live && setError(reason));
    return () => {
      live = false;
    };
  }, []);
  if (error) return <ErrorPanel error={error} />;
  if (!rows) return <p class="loading">{t("app.loading")}</p>;
  const totals = Object.fromEntries(ASSET_STATUSES.map((status) => [status, rows.reduce((sum, row) => sum + (row.counts[status] ?? 0), 0)]));
  return (
    <section class="page">
      <h1>{t("office.nav.board")}</h1>
      <div class="panel">
        <StackedBars
          testId="board-chart"
          label={t("office.board.chart")}
          categories={rows.map((row) => row.project_name)}
          series={ASSET_STATUSES.map((status) => ({ name: t(`status.${status}`), values: rows.map((row) => row.counts[status] ?? 0), color: COLORS[status] }))}
        />
      </div>
      <div class="grid">
        <div class="grid-scroll" tabIndex={0}>
          <table data-testid="board">
            <caption class="sr-only">{t("office.nav.board")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.lease.project")}</th>
                {ASSET_STATUSES.map((status) => (
                  <th scope="col" class="num" key={status}>
                    {t(`status.${status}`)}
                  </th>
                ))}
                <th scope="col" class="num">
                  {t("office.board.total")}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.project_id}>
                  <th scope="row">
                    <a href={`/office/assets?project_id=${row.project_id}`}>{row.project_name}</a> <span class="hint">{row.project_code}</span>
                  </th>
                  {ASSET_STATUSES.map((status) => (
                    <td class="num" key={status}>
                      {row.counts[status] ? (
                        <a href={`/office/assets?project_id=${row.project_id}&status=${status}`} data-testid={`board-${row.project_code}-${status}`}>
                          {row.counts[status]}
                        </a>
                      ) : (
                        0
                      )}
                    </td>
                  ))}
                  <td class="num">{row.total}</td>
                </tr>
              ))}
              <tr class="sum">
                <th scope="row">{t("office.board.total")}</th>
                {ASSET_STATUSES.map((status) => (
                  <td class="num" key={status}>
                    {totals[status]}
                  </td>
                ))}
                <td class="num" data-testid="board-total">
                  {rows.reduce((sum, row) => sum + row.total, 0)}
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

interface BoardAsset {
  id: number;
  code: string;
  name: string;
  floor: string | null;
  asset_type: string;
  project_id: number;
  status: string;
  lease: { lease_id: number; number: string; customer_name: string; ends_on: string } | null;
  open_request: { id: number; to_status: string; state: string } | null;
}

export function AssetList() {
  const [filters, setFilters] = useQueryState(["q", "project_id", "status", "floor"]);
  const projects = useOptions("/api/projects");
  const columns: ColumnDef<BoardAsset, unknown>[] = [
    { id: "code", header: () => t("office.asset.code"), cell: ({ row }) => <a href={`/office/assets/${row.original.id}`} data-testid="asset-link">{row.original.code}</a> },
    { id: "name", header: () => t("office.asset.name"), cell: ({ row }) => row.original.name },
    { id: "floor", header: () => t("office.asset.floor"), cell: ({ row }) => row.original.floor ?? "—" },
    { id: "status", header: () => t("office.lease.status"), cell: ({ row }) => <span class={`chip chip-${row.original.status}`}>{t(`status.${row.original.status}`)}</span> },
    {
      id: "lease",
      header: () => t("office.nav.lease"),
      cell: ({ row }) =>
        row.original.lease ? (
          <a href={`/office/leases/${row.original.lease.lease_id}`}>
            {row.original.lease.number} · {row.original.lease.customer_name}
          </a>
        ) : (
          "—"
        ),
    },
    { id: "request", header: () => t("office.asset.openRequest"), cell: ({ row }) => (row.original.open_request ? t(`status.${row.original.open_request.to_status}`) : "—") },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.assets")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()} role="search">
        <label>
          {t("office.filter.search")}
          <input type="search" value={filters.q} placeholder={t("office.asset.searchHint")} onChange={(e) => setFilters({ q: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {t("office.lease.project")}
          <Choose value={filters.project_id} options={projects} empty={t("office.filter.all")} onChange={(value) => setFilters({ project_id: value })} />
        </label>
        <label>
          {t("office.lease.status")}
          <select data-testid="asset-status" value={filters.status} onChange={(e) => setFilters({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("office.filter.all")}</option>
            {ASSET_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("office.asset.floor")}
          <input value={filters.floor} onChange={(e) => setFilters({ floor: (e.target as HTMLInputElement).value })} />
        </label>
      </form>
      <DataGrid<BoardAsset>
        endpoint="/api/board/assets"
        params={{ q: filters.q, project_id: filters.project_id, status: filters.status ? [filters.status] : undefined, floor: filters.floor }}
        columns={columns}
        sortable={["code", "name", "status", "floor"]}
        initialSort={[{ id: "code", desc: false }]}
        testId="assets"
        caption={t("office.nav.assets")}
      />
    </section>
  );
}

interface AssetCardData extends BoardAsset {
  project_code: string;
  history: { action: string; actor_name: string; occurred_at: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[];
  history_total: number;
  inspections: { id: number; performed_at?: string; result?: string; photos?: string[] }[];
}

export function AssetCard({ params }: { params: Record<string, string> }) {
  const asset = useResource<AssetCardData>(`/api/board/assets/${params.id}`);
  const [enlarged, setEnlarged] = useState<string | null>(null);
  if (asset.error) return <ErrorPanel error={asset.error} />;
  if (!asset.data) return <p class="loading">{t("app.loading")}</p>;
  const value = asset.data;
  const photos = value.inspections.flatMap((inspection) => inspection.photos ?? []);
  return (
    <section class="page" data-testid="asset-card">
      <h1>
        {value.code} · {value.name}{" "}
        <span class={`chip chip-${value.status}`}>{t(`status.${value.status}`)}</span>
      </h1>
      <div class="columns">
        <div class="panel">
          <dl class="facts">
            <dt>{t("office.lease.project")}</dt>
            <dd>{value.project_code}</dd>
            <dt>{t("office.asset.floor")}</dt>
            <dd>{value.floor ?? "—"}</dd>
            <dt>{t("office.nav.lease")}</dt>
            <dd>
              {value.lease ? (
                <a href={`/office/leases/${value.lease.lease_id}`}>
                  {value.lease.number} · {value.lease.customer_name} · {day(value.lease.ends_on)}
                </a>
              ) : (
                "—"
              )}
            </dd>
            <dt>{t("office.asset.openRequest")}</dt>
            <dd>
              {value.open_request ? (
                <a href={`/office/field-requests?asset_id=${value.id}`}>
                  {t(`status.${value.open_request.to_status}`)} ({t(`office.requestState.${value.open_request.state}`)})
                </a>
              ) : (
                "—"
              )}
            </dd>
          </dl>
          {photos.length ? (
            <div class="thumbs" data-testid="evidence">
              {photos.map((sha) => (
                <button type="button" key={sha} class="thumb" onClick={() => setEnlarged(sha)} aria-label={t("office.asset.enlarge")}>
                  <img src={`/api/photos/${sha}/thumbnail`} alt="" loading="lazy" />
                </button>
              ))}
            </div>
          ) : null}
        </div>
        <div class="panel">
          <h2>{t("office.lease.audit")}</h2>
          <ul class="timeline" data-testid="asset-history">
            {value.history.map((entry, index) => (
              <li key={index}>
                {instant(entry.occurred_at)} · {entry.actor_name} · {t(`office.auditAction.${entry.action}`)}
                {entry.before?.status !== entry.after?.status && entry.after?.status
                  ? ` · ${entry.before?.status ? t(`status.${String(entry.before.status)}`) + " → " : ""}${t(`status.${String(entry.after.status)}`)}`
                  : ""}
              </li>
            ))}
          </ul>
        </div>
      </div>
      <AssetSignals assetId={value.id} />
      {enlarged ? (
        <div class="lightbox" role="dialog" aria-modal="true" aria-label={t("office.asset.photo")} onClick={() => setEnlarged(null)}>
          <img src={`/api/photos/${enlarged}/content`} alt={t("office.asset.photo")} />
          <button type="button" onClick={() => setEnlarged(null)}>
            {t("office.asset.close")}
          </button>
        </div>
      ) : null}
    </section>
  );
}
