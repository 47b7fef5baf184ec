/** The assets on this phone, per project and floor, with their status; filtered by status or a search. */
import { useEffect, useState } from "preact/hooks";
import { byFloor, searchAssets } from "../assets";
import { allCached, type Cached } from "../db";
import { t } from "../i18n";
import { onSyncStatus } from "../sync";

const STATUSES = ["vacant", "reserved", "pending_delivery", "leased", "maintenance", "renovation", "retired"];

/** Assets as rows that open their card, each with its status chip. */
export function AssetList({ assets }: { assets: Cached[] }) {
  return (
    <ul class="list asset-list">
      {assets.map((asset) => (
        <li key={asset.id}>
          <a
            class="asset-row"
            href={`/a/${encodeURIComponent(String(asset.code))}`}
            data-testid="asset-row"
            data-code={String(asset.code)}
            data-status={String(asset.status)}
          >
            <span class="asset-row-code">{String(asset.code)}</span>
            <span class="asset-row-name">{String(asset.name ?? "")}</span>
            <span class={`status status-${String(asset.status)}`}>{t(`status.${String(asset.status)}`)}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

export function Assets() {
  const [assets, setAssets] = useState<Cached[] | null>(null);
  const [projects, setProjects] = useState<Cached[]>([]);
  const [status, setStatus] = useState<string>(() => new URLSearchParams(location.search).get("status") ?? "");
  const [query, setQuery] = useState("");

  useEffect(() => {
    const load = async () => {
      setProjects(await allCached("cache_projects"));
      setAssets(await allCached("cache_assets"));
    };
    void load();
    let wasRunning = false;
    return onSyncStatus((sync) => {
      if (wasRunning && !sync.running) void load();
      wasRunning = sync.running;
    });
  }, []);

  if (assets === null) return <main class="screen">{t("app.loading")}</main>;
  const searched = query.trim() ? searchAssets(query, assets, projects).map((hit) => hit.asset) : assets;
  const shown = status ? searched.filter((asset) => asset.status === status) : searched;
  const counts = new Map<string, number>();
  for (const asset of searched) counts.set(String(asset.status), (counts.get(String(asset.status)) ?? 0) + 1);
  const sortedProjects = [...projects].sort((a, b) => String(a.code).localeCompare(String(b.code)));

  return (
    <main class="screen">
      <h1>{t("screens.assets.title")}</h1>
      {!assets.length && <p class="empty">{t("screens.assets.empty")}</p>}
      <div class="field">
        <label for="assets-search">{t("screens.assets.filter")}</label>
        <input
          id="assets-search"
          data-testid="assets-search"
          type="search"
          autocomplete="off"
          placeholder={t("screens.search.placeholder")}
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
      </div>
      <div class="chips" role="group" aria-label={t("asset.status")}>
        <button type="button" class="chip" aria-pressed={status === ""} data-testid="status-chip" data-status="" onClick={() => setStatus("")}>
          {t("screens.assets.allStatuses")} · {searched.length}
        </button>
        {STATUSES.filter((value) => counts.has(value)).map((value) => (
          <button
            type="button"
            key={value}
            class={`chip status-${value}`}
            aria-pressed={status === value}
            data-testid="status-chip"
            data-status={value}
            onClick={() => setStatus(status === value ? "" : value)}
          >
            {t(`status.${value}`)} · {counts.get(value)}
          </button>
        ))}
      </div>
      {sortedProjects.map((project) => {
        const own = shown.filter((asset) => Number(asset.project_id) === project.id);
        if (!own.length) return null;
        return (
          <section class="card" key={project.id} data-testid="assets-project" data-project={String(project.code)}>
            <h2>
              {String(project.code)} · {String(project.name ?? "")}
            </h2>
            <p class="hint">{t("screens.assets.count", { count: own.length })}</p>
            {byFloor(own).map((group) => (
              <div key={String(group.floor)} data-testid="assets-floor" data-floor={group.floor ?? ""}>
                <h3>{group.floor === null ? t("screens.assets.noFloor") : t("screens.assets.floor", { floor: group.floor })}</h3>
                <AssetList assets={group.assets} />
              </div>
            ))}
          </section>
        );
      })}
    </main>
  );
}
