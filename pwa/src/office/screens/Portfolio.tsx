/**
 * The portfolio dashboard (KPI tiles against the month before and a year before, charts, the table by group)
 * and the drill-down behind any figure: the rows whose numerators and denominators add up to it.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { Chart } from "../components/Chart";
import { Choose, choices } from "../components/Choose";
import { DataGrid, query } from "../components/DataGrid";
import { ErrorPanel } from "../components/ErrorPanel";
import { useOptions } from "../components/Options";
import { StackedBars } from "../components/StackedBars";
import { day, instant, money } from "../format";
import { useResource } from "../hooks";
import {
  AGING_BUCKETS,
  FILTERS,
  GROUPINGS,
  KPIS,
  change,
  drillQuery,
  drilldownColumns,
  drilldownHref,
  expectedKinds,
  formatKpi,
  monthLabel,
  nextSort,
  plain,
  readSort,
  sortGroups,
  sumDecimals,
  unitOf,
  type Dashboard,
  type Group,
  type Kpi,
  type KpiValue,
} from "../portfolio";
import { useQueryState } from "../urlstate";

export const CATEGORIES = ["office", "retail", "apartment", "industrial_park", "warehouse", "equipment_depot", "mixed_use"];
const BUCKET_COLORS = ["#2e7d32", "#f9a825", "#ef6c00", "#d84315", "#b71c1c", "#4a148c"];
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

export function kpiName(kpi: string): string {
  return t(`office.portfolio.kpi.${kpi}`);
}

export function kpiDefinition(kpi: string, board?: Pick<Dashboard, "definitions"> | null): string {
  return t(`office.portfolio.definition.${kpi}`, { days: board?.definitions?.stale_after_days ?? 30 });
}

/** A group's label in the reader's language (categories and tiers are codes). */
export function groupLabel(groupBy: string, group: Pick<Group, "key" | "label">): string {
  const path = groupBy === "category" ? "categories" : groupBy === "customer_tier" ? "tiers" : null;
  if (!path) return group.label || group.key;
  const key = `office.portfolio.${path}.${group.key}`;
  const found = t(key);
  return found === key ? group.label || group.key : found;
}

function pickFilters(values: Record<string, string>): Filters {
  return Object.fromEntries(FILTERS.map((name) => [name, values[name] || undefined])) as Filters;
}

/** Region, project, city and project type, in the address. */
export function ScopeFilters(props: { values: Record<string, string>; onChange: (changes: Record<string, string>) => void }) {
  const regions = useOptions("/api/regions");
  const projects = useOptions(props.values.region_id ? `/api/projects?region_id=${props.values.region_id}` : "/api/projects");
  const [city, setCity] = useState(props.values.city);
  useEffect(() => {
    const timer = setTimeout(() => city !== props.values.city && props.onChange({ city }), 300);
    return () => clearTimeout(timer);
  }, [city]);
  return (
    <>
      <label>
        {t("office.portfolio.region")}
        <Choose testId="filter-region" value={props.values.region_id} options={regions} empty={t("office.filter.all")} onChange={(value) => props.onChange({ region_id: value, project_id: "" })} />
      </label>
      <label>
        {t("office.lease.project")}
        <Choose testId="filter-project" value={props.values.project_id} options={projects} empty={t("office.filter.all")} onChange={(value) => props.onChange({ project_id: value })} />
      </label>
      <label>
        {t("office.portfolio.city")}
        <input data-testid="filter-city" value={city} onInput={(event) => setCity((event.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t("office.portfolio.category")}
        <Choose
          testId="filter-category"
          value={props.values.category}
          options={choices(CATEGORIES, (value) => t(`office.portfolio.categories.${value}`))}
          empty={t("office.filter.all")}
          onChange={(value) => props.onChange({ category: value })}
        />
      </label>
    </>
  );
}

const DASHBOARD_KEYS = ["period", "group_by", ...FILTERS, "sort"];

export function PortfolioDashboard() {
  const [state, setState] = useQueryState(DASHBOARD_KEYS);
  const groupBy = state.group_by || "project";
  const filters = pickFilters(state);
  const board = useResource<Dashboard>(`/api/portfolio/dashboard${query({ period: state.period, group_by: groupBy, ...filters })}`);
  const data = board.data;
  return (
    <section class="page" data-testid="portfolio" aria-busy={board.loading}>
      <div class="page-head">
        <h1>{t("office.nav.portfolio")}</h1>
        {data ? (
          <span class="hint" data-testid="as-of">
            {t("office.portfolio.asOf", { day: day(data.as_of) })}
            {data.computed_at ? (
              <span data-testid="computed-at"> · {t("office.portfolio.computedAt", { at: instant(data.computed_at) })}</span>
            ) : null}
          </span>
        ) : null}
      </div>
      <form class="filters" onSubmit={(event) => event.preventDefault()} role="search">
        <label>
          {t("office.portfolio.period")}
          <input
            type="month"
            data-testid="period"
            value={state.period || data?.period || ""}
            onChange={(event) => setState({ period: (event.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          {t("office.portfolio.groupBy")}
          <select data-testid="group-by" value={groupBy} onChange={(event) => setState({ group_by: (event.target as HTMLSelectElement).value, sort: "" })}>
            {GROUPINGS.map((grouping) => (
              <option key={grouping} value={grouping}>
                {t(`office.portfolio.grouping.${grouping}`)}
              </option>
            ))}
          </select>
        </label>
        <ScopeFilters values={state} onChange={setState} />
      </form>
      {board.error ? <ErrorPanel error={board.error} /> : null}
      {!data ? (
        board.error ? null : <p class="loading">{t("app.loading")}</p>
      ) : (
        <>
          <Restatements board={data} />
          <h2 class="sr-only">{t("office.portfolio.tiles")}</h2>
          <div class="tiles kpi-tiles" data-testid="kpi-tiles">
            {KPIS.map((kpi) => (
              <KpiTile key={kpi} kpi={kpi} board={data} filters={filters} />
            ))}
          </div>
          <Charts board={data} groupBy={groupBy} />
          <PortfolioTable board={data} groupBy={groupBy} filters={filters} sort={state.sort} onSort={(sort) => setState({ sort })} />
        </>
      )}
    </section>
  );
}

function Restatements({ board }: { board: Dashboard }) {
  const found = board.restatements ?? [];
  if (!found.length) return null;
  return (
    <div class="panel notice" role="status" data-testid="restatements">
      <h2>{t("office.portfolio.restatements")}</h2>
      <ul>
        {found.map((item) => {
          const unit = unitOf(item.kpi);
          return (
            <li key={`${item.period}-${item.kpi}`}>
              {t("office.portfolio.restatement", {
                period: monthLabel(item.period),
                name: kpiName(item.kpi),
                reported: formatKpi(item.reported, unit, board.currency),
                restated: formatKpi(item.restated, unit, board.currency),
              })}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Compared(props: { kpi: Kpi; label: string; current: KpiValue | null | undefined; compared: KpiValue | null | undefined; period?: string; currency: string; testId: string }) {
  const unit = unitOf(props.kpi, props.current);
  const found = change(props.kpi, props.current?.value, props.compared?.value, unit, props.currency);
  return (
    <span class={`kpi-change${found.tone ? ` ${found.tone}` : ""}`} data-testid={props.testId} data-delta={found.delta ?? ""} title={props.period ? t("office.portfolio.vsPrevious", { period: monthLabel(props.period) }) : undefined}>
      <span class="kpi-change-label">{props.label}</span> {found.text}
    </span>
  );
}

function KpiTile({ kpi, board, filters }: { kpi: Kpi; board: Dashboard; filters: Filters }) {
  const current = board.total?.kpis?.[kpi];
  const unit = unitOf(kpi, current);
  const definition = kpiDefinition(kpi, board);
  return (
    <>
      <a
        class="tile kpi-tile"
        href={drilldownHref({ kpi, period: board.period, filters })}
        title={definition}
        aria-describedby={`definition-${kpi}`}
        data-testid={`kpi-${kpi}`}
      >
        <span class="tile-title">
          {kpiName(kpi)}
          <span class="info" aria-hidden="true">
            i
          </span>
        </span>
        <span class="tile-count" data-value={current?.value ?? ""} data-testid={`kpi-${kpi}-value`}>
          {formatKpi(current?.value, unit, board.currency)}
        </span>
        <Compared kpi={kpi} label={t("office.portfolio.previousShort")} current={current} compared={board.previous?.kpis?.[kpi]} period={board.previous?.period} currency={board.currency} testId={`kpi-${kpi}-previous`} />
        <Compared kpi={kpi} label={t("office.portfolio.yearAgoShort")} current={current} compared={board.year_ago?.kpis?.[kpi]} period={board.year_ago?.period} currency={board.currency} testId={`kpi-${kpi}-year-ago`} />
      </a>
      <span class="sr-only" id={`definition-${kpi}`}>
        {definition}
      </span>
    </>
  );
}

function percent(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? Math.round(number * 1000) / 10 : null;
}

function amount(value: string | null | undefined): number {
  const number = Number(value ?? 0);
  return Number.isFinite(number) ? number : 0;
}

function Charts({ board, groupBy }: { board: Dashboard; groupBy: string }) {
  const trend = board.trend ?? [];
  const expiries = board.expiries_by_month ?? [];
  const groups = board.groups ?? [];
  const labels = groups.map((group) => groupLabel(groupBy, group));
  return (
    <div class="chart-grid">
      <div class="panel">
        <h2>{t("office.portfolio.charts.trend")}</h2>
        <Chart
          kind="line"
          testId="chart-trend"
          label={t("office.portfolio.charts.trend")}
          categories={trend.map((point) => monthLabel(point.period))}
          suffix="%"
          series={[
            { name: t("office.portfolio.charts.trendUnits"), values: trend.map((point) => percent(point.occupancy_units)), color: "#1565c0" },
            { name: t("office.portfolio.charts.trendArea"), values: trend.map((point) => percent(point.occupancy_area)), color: "#2e7d32" },
          ]}
        />
      </div>
      <div class="panel">
        <h2>{t("office.portfolio.charts.expiries")}</h2>
        <Chart
          kind="bar"
          testId="chart-expiries"
          integer
          label={t("office.portfolio.charts.expiries")}
          categories={expiries.map((month) => monthLabel(month.month))}
          series={[
            { name: t("office.portfolio.charts.expiriesLeases"), values: expiries.map((month) => month.count ?? 0), color: "#1565c0" },
            { name: t("office.portfolio.charts.expiriesUnits"), values: expiries.map((month) => month.units ?? 0), color: "#ef6c00" },
          ]}
        />
      </div>
      <div class="panel">
        <h2>{t("office.portfolio.charts.aging")}</h2>
        <StackedBars
          testId="chart-aging"
          label={t("office.portfolio.charts.aging")}
          categories={labels}
          series={AGING_BUCKETS.map((bucket, index) => ({
            name: t(`office.portfolio.bucket.${bucket}`),
            values: groups.map((group) => amount(group.aging?.buckets?.[bucket])),
            color: BUCKET_COLORS[index],
          }))}
        />
      </div>
      <div class="panel">
        <h2>{t("office.portfolio.charts.collection")}</h2>
        <StackedBars
          testId="chart-collection"
          suffix="%"
          label={t("office.portfolio.charts.collection")}
          categories={labels}
          series={[{ name: kpiName("collection_rate"), values: groups.map((group) => percent(group.kpis?.collection_rate?.value)), color: "#1565c0" }]}
        />
      </div>
    </div>
  );
}

function PortfolioTable(props: { board: Dashboard; groupBy: string; filters: Filters; sort: string; onSort: (sort: string) => void }) {
  const { board, groupBy, filters } = props;
  const { by, descending } = readSort(props.sort);
  const groups = sortGroups(board.groups ?? [], by, descending);
  const header = (column: string, name: string, title?: string) => {
    const sorted = by === column;
    return (
      <th scope="col" class={column === "label" ? undefined : "num"} key={column} aria-sort={sorted ? (descending ? "descending" : "ascending") : undefined}>
        <button type="button" class="sort" title={title} data-testid={`sort-${column}`} onClick={() => props.onSort(nextSort(props.sort, column))}>
          {name}
          <span aria-hidden="true">{sorted ? (descending ? " ▼" : " ▲") : " ↕"}</span>
        </button>
      </th>
    );
  };
  return (
    <div class="grid">
      <div class="grid-scroll" tabIndex={0}>
        <table data-testid="portfolio-table">
          <caption class="sr-only">{t("office.portfolio.table")}</caption>
          <thead>
            <tr>
              {header("label", t(`office.portfolio.grouping.${groupBy}`))}
              {KPIS.map((kpi) => header(kpi, kpiName(kpi), kpiDefinition(kpi, board)))}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => (
              <tr key={group.key} data-testid={`group-${group.key}`}>
                <th scope="row">{groupLabel(groupBy, group)}</th>
                {KPIS.map((kpi) => (
                  <td class="num" key={kpi}>
                    <a href={drilldownHref({ kpi, period: board.period, group_by: groupBy, group_key: group.key, filters })} data-testid={`cell-${group.key}-${kpi}`}>
                      {formatKpi(group.kpis?.[kpi]?.value, unitOf(kpi, group.kpis?.[kpi]), board.currency)}
                    </a>
                  </td>
                ))}
              </tr>
            ))}
            {groups.length === 0 ? (
              <tr>
                <td colSpan={KPIS.length + 1} class="empty">
                  {t("office.portfolio.noGroups")}
                </td>
              </tr>
            ) : null}
            <tr class="sum">
              <th scope="row">{t("office.portfolio.total")}</th>
              {KPIS.map((kpi) => (
                <td class="num" key={kpi}>
                  <a href={drilldownHref({ kpi, period: board.period, filters })}>{formatKpi(board.total?.kpis?.[kpi]?.value, unitOf(kpi, board.total?.kpis?.[kpi]), board.currency)}</a>
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}

// --- the drill-down ----------------------------------------------------------------------------------------

export interface DrillRow {
  kind: string;
  id: number;
  code?: string | null;
  project_id?: number | null;
  project_name?: string | null;
  customer_name?: string | null;
  lease_id?: number | null;
  lease_number?: string | null;
  status?: string | null;
  lettable_area?: string | null;
  due_date?: string | null;
  amount?: string | null;
  open?: string | null;
  ends_on?: string | null;
  numerator: string | null;
  denominator: string | null;
}

const DRILL_KEYS = ["kpi", "period", "group_by", "group_key", "bucket", ...FILTERS];

function statusText(row: DrillRow): string {
  if (!row.status) return "—";
  const key = row.kind === "asset" ? `status.${row.status}` : row.kind === "charge" ? `office.charge.${row.status}` : `office.leaseStatus.${row.status}`;
  const found = t(key);
  return found === key ? row.status : found;
}

function codeCell(row: DrillRow) {
  const code = row.code ?? "—";
  if (row.kind === "asset") return <a href={`/office/assets/${row.id}`} data-testid="drill-link">{code}</a>;
  if (row.kind === "lease") return <a href={`/office/leases/${row.id}`} data-testid="drill-link">{code}</a>;
  return code;
}

function codeHeader(kinds: string[]): string {
  const unique = [...new Set(kinds)];
  if (unique.length === 1 && unique[0] === "asset") return t("office.portfolio.drill.code");
  if (unique.every((kind) => kind !== "asset")) return t("office.portfolio.drill.number");
  return t("office.portfolio.drill.codeOrNumber");
}

function drillColumns(kinds: string[]): ColumnDef<DrillRow, unknown>[] {
  const number = { className: "num" };
  const all: Record<string, ColumnDef<DrillRow, unknown>> = {
    kind: { id: "kind", header: () => t("office.portfolio.drill.kind"), cell: ({ row }) => t(`office.portfolio.drill.kinds.${row.original.kind}`) },
    code: { id: "code", header: () => codeHeader(kinds), cell: ({ row }) => codeCell(row.original) },
    project: { id: "project", header: () => t("office.portfolio.drill.project"), cell: ({ row }) => row.original.project_name ?? "—" },
    status: { id: "status", header: () => t("office.portfolio.drill.status"), cell: ({ row }) => statusText(row.original) },
    area: { id: "area", header: () => t("office.portfolio.drill.area"), cell: ({ row }) => plain(row.original.lettable_area), meta: number },
    customer: { id: "customer", header: () => t("office.portfolio.drill.customer"), cell: ({ row }) => row.original.customer_name ?? "—" },
    lease: {
      id: "lease",
      header: () => t("office.portfolio.drill.lease"),
      cell: ({ row }) => (row.original.lease_id ? <a href={`/office/leases/${row.original.lease_id}`}>{row.original.lease_number ?? `#${row.original.lease_id}`}</a> : "—"),
    },
    due_date: { id: "due_date", header: () => t("office.portfolio.drill.dueDate"), cell: ({ row }) => day(row.original.due_date) },
    amount: { id: "amount", header: () => t("office.portfolio.drill.amount"), cell: ({ row }) => money(row.original.amount), meta: number },
    open: { id: "open", header: () => t("office.portfolio.drill.open"), cell: ({ row }) => money(row.original.open), meta: number },
    ends_on: { id: "ends_on", header: () => t("office.portfolio.drill.endsOn"), cell: ({ row }) => day(row.original.ends_on) },
    numerator: { id: "numerator", header: () => t("office.portfolio.drill.numerator"), cell: ({ row }) => plain(row.original.numerator), meta: number },
    denominator: { id: "denominator", header: () => t("office.portfolio.drill.denominator"), cell: ({ row }) => plain(row.original.denominator), meta: number },
  };
  return drilldownColumns(kinds).map((column) => all[column]);
}

/** The figure the drill-down adds up to, as the dashboard gives it for the same query. */
function Figure({ board, kpi, groupKey, groupBy, bucket }: { board: Dashboard; kpi: string; groupKey: string; groupBy: string; bucket: string }) {
  const group = groupKey ? (board.groups ?? []).find((item) => item.key === groupKey) : undefined;
  const scope = groupKey ? group : board.total;
  const scopeName = groupKey ? (group ? groupLabel(groupBy, group) : groupKey) : t("office.portfolio.total");
  const heading = t("office.portfolio.drill.figure", { name: kpiName(kpi), period: monthLabel(board.period), scope: scopeName });
  if (kpi === "aging") {
    const overdue = bucket ? scope?.aging?.buckets?.[bucket] : scope?.aging?.overdue;
    const figure = money(overdue ?? null, board.currency);
    return (
      <div class="panel" data-testid="drill-header">
        <h2>{heading}</h2>
        <p class="figure" data-testid="drill-figure" data-value={overdue ?? ""}>
          {t("office.portfolio.drill.total", { figure, numerator: plain(overdue) })}
        </p>
      </div>
    );
  }
  const value = scope?.kpis?.[kpi];
  const unit = unitOf(kpi, value);
  const figure = formatKpi(value?.value, unit, board.currency);
  return (
    <div class="panel" data-testid="drill-header">
      <h2>{heading}</h2>
      <p class="figure" data-testid="drill-figure" data-value={value?.value ?? ""}>
        {value?.denominator === null || value?.denominator === undefined
          ? t("office.portfolio.drill.total", { figure, numerator: plain(value?.numerator) })
          : t("office.portfolio.drill.equation", { figure, numerator: plain(value.numerator), denominator: plain(value.denominator) })}
      </p>
      <p class="hint">{kpiDefinition(kpi, board)}</p>
    </div>
  );
}

export function PortfolioDrilldown() {
  const [state, setState] = useQueryState(DRILL_KEYS);
  const kpi = state.kpi || "occupancy_units";
  const filters = pickFilters(state);
  const target = { kpi, period: state.period, group_by: state.group_by, group_key: state.group_key, bucket: state.bucket, filters };
  const params = drillQuery(target);
  const board = useResource<Dashboard>(`/api/portfolio/dashboard${query({ period: params.period, group_by: params.group_by, ...filters })}`);
  const [rows, setRows] = useState<DrillRow[]>([]);
  const kinds = rows.length ? rows.map((row) => row.kind) : expectedKinds(kpi);
  const exportQuery = query(params);
  const back = `/office/portfolio${query({ period: state.period, group_by: state.group_by, ...filters })}`;
  const anyDenominator = rows.some((row) => row.denominator !== null && row.denominator !== undefined);
  return (
    <section class="page" data-testid="drilldown">
      <div class="page-head">
        <h1>{t("office.nav.drilldown")}</h1>
        <a href={back} data-testid="drill-back">
          {t("office.portfolio.drill.back")}
        </a>
      </div>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.portfolio.drill.kpi")}
          <select data-testid="drill-kpi" value={kpi} onChange={(event) => setState({ kpi: (event.target as HTMLSelectElement).value, bucket: "" })}>
            {[...KPIS, "aging"].map((key) => (
              <option key={key} value={key}>
                {kpiName(key)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("office.portfolio.period")}
          <input type="month" data-testid="period" value={state.period || board.data?.period || ""} onChange={(event) => setState({ period: (event.target as HTMLInputElement).value })} />
        </label>
        <div class="filter-actions">
          <a class="button-like" data-testid="export-xlsx" href={`/api/portfolio/drilldown/export${exportQuery}&format=xlsx`} download>
            {t("office.export.xlsx")}
          </a>
          <a class="button-like" data-testid="export-csv" href={`/api/portfolio/drilldown/export${exportQuery}&format=csv`} download>
            {t("office.export.csv")}
          </a>
        </div>
      </form>
      {board.error ? <ErrorPanel error={board.error} /> : null}
      {board.data ? <Figure board={board.data} kpi={kpi} groupKey={state.group_key} groupBy={state.group_by || "project"} bucket={state.bucket} /> : null}
      <DataGrid<DrillRow>
        endpoint="/api/portfolio/drilldown"
        params={params}
        columns={drillColumns(kinds)}
        testId="drill-rows"
        caption={t("office.nav.drilldown")}
        onPage={(found) => setRows(found)}
      />
      {rows.length ? (
        <p class="hint" data-testid="drill-page-sums">
          {anyDenominator
            ? t("office.portfolio.drill.page", { numerator: plain(sumDecimals(rows.map((row) => row.numerator))), denominator: plain(sumDecimals(rows.map((row) => row.denominator))) })
            : t("office.portfolio.drill.pageTotal", { numerator: plain(sumDecimals(rows.map((row) => row.numerator))) })}
        </p>
      ) : null}
    </section>
  );
}
