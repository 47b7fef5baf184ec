/** Home: what waits for me — approvals, alerts (failed jobs), leases expiring soon, open field requests. */
import { useEffect, useState } from "preact/hooks";
import { api, request } from "../../api";
import { t } from "../../i18n";
import { useStore } from "../../store";
import { query, type Params } from "../components/DataGrid";
import { errorText } from "../components/ErrorPanel";
import { formatKpi, type KpiValue } from "../portfolio";
import { session } from "../session";

interface Tile {
  id: string;
  title: string;
  endpoint: string;
  params: Params;
  href: string;
  permission: string;
  alert?: boolean;
}

const TILES: Tile[] = [
  {
    id: "approvals",
    title: "office.home.approvals",
    endpoint: "/api/approvals",
    params: { status: "pending" },
    href: "/office/approvals",
    permission: "lease:read",
  },
  {
    id: "failed-jobs",
    title: "office.home.failedJobs",
    endpoint: "/api/job-runs",
    params: { status: "failed" },
    href: "/office/jobs?status=failed",
    permission: "job:admin",
    alert: true,
  },
  ...[30, 60, 90].map((days) => ({
    id: `expiring-${days}`,
    title: `office.home.expiring${days}`,
    endpoint: "/api/leases",
    params: { expiring_within: days },
    href: `/office/leases?expiring_within=${days}`,
    permission: "lease:read",
  })),
  {
    id: "field-requests",
    title: "office.home.fieldRequests",
    endpoint: "/api/status-requests",
    params: { state: "pending" },
    href: "/office/field-requests",
    permission: "asset:read",
  },
];

/** The number of rows a filtered list has, from its X-Pagination header (one row asked for). */
function useCount(tile: Tile): { count: number | null; error: string | null } {
  const [state, setState] = useState<{ count: number | null; error: string | null }>({ count: null, error: null });
  useEffect(() => {
    const controller = new AbortController();
    request(tile.endpoint + query({ ...tile.params, page_size: 1 }), { signal: controller.signal })
      .then((response) => {
        const header = response?.headers.get("X-Pagination");
        setState({ count: header ? Number((JSON.parse(header) as { total: number }).total) : 0, error: null });
      })
      .catch((reason: unknown) => !controller.signal.aborted && setState({ count: null, error: errorText(reason) }));
    return () => controller.abort();
  }, [tile.id]);
  return state;
}

function CountTile({ tile }: { tile: Tile }) {
  const { count, error } = useCount(tile);
  return (
    <a class={`tile${tile.alert && count ? " tile-alert" : ""}`} href={tile.href} data-testid={`tile-${tile.id}`}>
      <span class="tile-title">{t(tile.title)}</span>
      <span class="tile-count" data-count={count ?? ""}>
        {error ? "!" : count === null ? "…" : count.toLocaleString()}
      </span>
      {error ? <span class="error">{error}</span> : null}
    </a>
  );
}

/** The occupancy (units) of the reader's whole scope this month, from the portfolio dashboard: one request. */
function OccupancyTile() {
  const [state, setState] = useState<{ value: KpiValue | null; error: string | null; loaded: boolean }>({ value: null, error: null, loaded: false });
  useEffect(() => {
    const controller = new AbortController();
    api<{ total?: { kpis?: Record<string, KpiValue | undefined> } }>("/api/portfolio/dashboard?group_by=region", { signal: controller.signal })
      .then((board) => setState({ value: board?.total?.kpis?.occupancy_units ?? null, error: null, loaded: true }))
      .catch((reason: unknown) => !controller.signal.aborted && setState({ value: null, error: errorText(reason), loaded: true }));
    return () => controller.abort();
  }, []);
  return (
    <a class="tile" href="/office/portfolio" data-testid="tile-occupancy">
      <span class="tile-title">{t("office.portfolio.home")}</span>
      <span class="tile-count" data-value={state.value?.value ?? ""}>
        {state.error ? "!" : !state.loaded ? "…" : formatKpi(state.value?.value, "ratio")}
      </span>
      {state.error ? <span class="error">{state.error}</span> : null}
    </a>
  );
}

export function Home() {
  const current = useStore(session)!;
  const tiles = TILES.filter((tile) => current.permissions.includes(tile.permission));
  return (
    <section class="page">
      <h1>{t("office.home.hello", { name: current.user.display_name })}</h1>
      <div class="tiles">
        {tiles.map((tile) => (
          <CountTile key={tile.id} tile={tile} />
        ))}
        {current.permissions.includes("portfolio:read") ? <OccupancyTile /> : null}
      </div>
    </section>
  );
}
