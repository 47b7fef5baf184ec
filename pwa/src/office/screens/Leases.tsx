/** Leases: search and filters over the server's list, export of the filtered list, a link into each lease. */
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { DataGrid, query } from "../components/DataGrid";
import { NameOf } from "../components/Names";
import { Choose } from "../components/Choose";
import { useOptions } from "../components/Options";
import { day, money, today } from "../format";
import { can } from "../session";
import { useQueryState } from "../urlstate";

export interface Lease {
  id: number;
  number: string;
  template_id: number;
  project_id: number;
  customer_id: number | null;
  asset_ids: number[];
  status: string;
  starts_on: string | null;
  ends_on: string | null;
  tags: string[];
  charge_lines: { charge_type: string; monthly_amount: string; starts_on?: string | null; ends_on?: string | null }[];
  account_manager_id: number | null;
}

export const LEASE_STATUSES = ["draft", "signed", "active", "expiring", "renewed", "terminated", "ended"];

type Line = Lease["charge_lines"][number];
type Dated = Pick<Lease, "charge_lines" | "starts_on" | "ends_on">;

/** The day a lease's rent is read on: today, or its first day before it starts, its last day after it ends. */
function referenceDay(lease: Dated, on: string): string {
  if (lease.starts_on && on < lease.starts_on) return lease.starts_on;
  if (lease.ends_on && on > lease.ends_on) return lease.ends_on;
  return on;
}

/** The charge lines in force on a day: each escalation step is a line of its own, dated. */
export function linesInForce(lease: Dated, on: string = today()): Line[] {
  const day = referenceDay(lease, on);
  return lease.charge_lines.filter(
    (line) => (line.starts_on ?? lease.starts_on ?? day) <= day && day <= (line.ends_on ?? lease.ends_on ?? day),
  );
}

/** The monthly total of the lines in force, summed in cents (no float drift). */
export function monthlyTotal(lease: Dated, on: string = today()): string {
  const cents = linesInForce(lease, on).reduce((sum, line) => sum + Math.round(Number(line.monthly_amount) * 100), 0);
  return (cents / 100).toFixed(2);
}

const FILTERS = ["q", "project_id", "status", "template_id", "expiring_within"];

export function Leases() {
  const [filters, setFilters] = useQueryState(FILTERS);
  const [search, setSearch] = useState(filters.q);
  const projects = useOptions("/api/projects");
  const templates = useOptions("/api/contract-templates");
  useEffect(() => {
    const timer = setTimeout(() => search !== filters.q && setFilters({ q: search }), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const params = {
    q: filters.q,
    project_id: filters.project_id,
    status: filters.status ? [filters.status] : undefined,
    template_id: filters.template_id,
    expiring_within: filters.expiring_within,
  };
  const columns: ColumnDef<Lease, unknown>[] = [
    {
      id: "number",
      header: () => t("office.lease.number"),
      cell: ({ row }) => (
        <a href={`/office/leases/${row.original.id}`} data-testid="lease-link">
          {row.original.number}
        </a>
      ),
    },
    { id: "customer", header: () => t("office.lease.customer"), cell: ({ row }) => <NameOf kind="customers" id={row.original.customer_id} /> },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => <NameOf kind="projects" id={row.original.project_id} /> },
    {
      id: "status",
      header: () => t("office.lease.status"),
      cell: ({ row }) => <span class={`chip chip-${row.original.status}`}>{t(`office.leaseStatus.${row.original.status}`)}</span>,
    },
    { id: "starts_on", header: () => t("office.lease.starts"), cell: ({ row }) => day(row.original.starts_on) },
    { id: "ends_on", header: () => t("office.lease.ends"), cell: ({ row }) => day(row.original.ends_on) },
    {
      id: "monthly",
      header: () => t("office.lease.monthly"),
      cell: ({ row }) => money(monthlyTotal(row.original)),
      meta: { className: "num" },
    },
    { id: "tags", header: () => t("office.lease.tags"), cell: ({ row }) => row.original.tags.join(", ") },
  ];
  const exportQuery = query({ ...params, sort: "number" });
  return (
    <section class="page">
      <div class="page-head">
        <h1>{t("office.nav.leases")}</h1>
        {can("lease:write") ? (
          <a class="button-like primary" href="/office/leases/new">
            {t("office.nav.newLease")}
          </a>
        ) : null}
      </div>
      <form class="filters" onSubmit={(event) => event.preventDefault()} role="search">
        <label>
          {t("office.filter.search")}
          <input
            type="search"
            data-testid="lease-search"
            value={search}
            placeholder={t("office.lease.searchHint")}
            onInput={(event) => setSearch((event.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t("office.lease.project")}
          <Choose testId="filter-project" value={filters.project_id} options={projects} empty={t("office.filter.all")} onChange={(value) => setFilters({ project_id: value })} />
        </label>
        <label>
          {t("office.lease.status")}
          <select data-testid="filter-status" value={filters.status} onChange={(e) => setFilters({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("office.filter.all")}</option>
            {LEASE_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`office.leaseStatus.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("office.lease.template")}
          <Choose value={filters.template_id} options={templates} empty={t("office.filter.all")} onChange={(value) => setFilters({ template_id: value })} />
        </label>
        <label>
          {t("office.lease.expiring")}
          <select data-testid="filter-expiring" value={filters.expiring_within} onChange={(e) => setFilters({ expiring_within: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("office.filter.any")}</option>
            {["30", "60", "90"].map((days) => (
              <option key={days} value={days}>
                {t("office.lease.withinDays", { days })}
              </option>
            ))}
          </select>
        </label>
        <div class="filter-actions">
          <a class="button-like" data-testid="export-xlsx" href={`/api/leases/export${exportQuery}${exportQuery ? "&" : "?"}format=xlsx`} download>
            {t("office.export.xlsx")}
          </a>
          <a class="button-like" data-testid="export-csv" href={`/api/leases/export${exportQuery}${exportQuery ? "&" : "?"}format=csv`} download>
            {t("office.export.csv")}
          </a>
        </div>
      </form>
      <DataGrid<Lease>
        endpoint="/api/leases"
        params={params}
        columns={columns}
        sortable={["number", "starts_on", "ends_on", "status"]}
        initialSort={[{ id: "number", desc: false }]}
        testId="leases"
        caption={t("office.nav.leases")}
      />
    </section>
  );
}
