/** An asset as the screens need it: the cached entity, its project, its open request and its card. */
import { useEffect, useState } from "preact/hooks";
import { api, NetworkError } from "./api";
import { allCached, assetByCode, attachDetail, getCached, requestsOfAsset, type Cached, type OutboxEntry } from "./db";
import { fetchFlags, keptFlags, type KeptFlags } from "./flags";
import { listOutbox, onOutboxChange } from "./outbox";
import { onSyncStatus } from "./sync";

/** The asset state machine's allowed moves (as the server's, without the administrator-only one). */
const TRANSITIONS: Record<string, string[]> = {
  vacant: ["reserved", "pending_delivery", "maintenance", "renovation", "retired"],
  reserved: ["vacant", "pending_delivery", "maintenance"],
  pending_delivery: ["vacant", "leased", "maintenance"],
  leased: ["vacant", "maintenance", "renovation"],
  maintenance: ["vacant", "reserved", "pending_delivery", "leased", "renovation", "retired"],
  renovation: ["vacant", "reserved", "maintenance", "retired"],
  retired: [],
};

export interface AssetCard {
  allowed_statuses?: string[];
  lease?: { customer_name?: string | null; number?: string; ends_on?: string | null } | null;
  inspections?: { id: number; captured_at: string; result: string }[];
}

export interface AssetView {
  asset: Cached;
  project: Cached | undefined;
  openRequest: Cached | undefined;
  card: AssetCard | undefined;
  /** Its open signal flags, as the server last gave them to this phone. */
  flags: KeptFlags | undefined;
  /** Every cached request of the asset (pending ones of anyone, decided ones of this user). */
  requests: Cached[];
  /** This phone's status reports of the asset not yet filed on the server (queued or sending). */
  unsent: OutboxEntry[];
}

const UNSENT: readonly string[] = ["queued", "sending"];

/** The phone's status reports of an asset the server has not filed yet. */
export function unsentReports(outbox: OutboxEntry[], assetId: number): OutboxEntry[] {
  return outbox.filter(
    (entry) => entry.name === "status_change.request" && Number(entry.args.asset_id) === assetId && UNSENT.includes(entry.state),
  );
}

/**
 * What stops a new status report of the asset: a pending request (the server allows one at a time), a
 * report of this phone not yet sent, or one sent whose request the feed has not brought yet.
 */
export type ReportBlocker =
  | { kind: "pending"; request: Cached }
  | { kind: "unsent"; entry: OutboxEntry }
  | null;

export function reportBlocker(assetId: number, requests: Cached[], outbox: OutboxEntry[]): ReportBlocker {
  const pending = requests.find((request) => request.state === "pending");
  if (pending) return { kind: "pending", request: pending };
  const known = new Set(requests.map((request) => request.id));
  const filedButNotPulled = (entry: OutboxEntry) =>
    (entry.state === "sent" || entry.state === "evidence_pending") &&
    entry.result?.state === "pending" &&
    !known.has(Number(entry.result.id));
  const waiting = outbox.find(
    (entry) =>
      entry.name === "status_change.request" &&
      Number(entry.args.asset_id) === assetId &&
      (UNSENT.includes(entry.state) || filedButNotPulled(entry)),
  );
  return waiting ? { kind: "unsent", entry: waiting } : null;
}

/** The user's last decided request of the asset, when it was turned down (rejected or expired) and nothing newer. */
export function lastTurnedDown(requests: Cached[], userId: number | undefined): Cached | undefined {
  const own = requests
    .filter((request) => userId === undefined || request.applicant_id === userId)
    .sort((a, b) => String(b.submitted_at ?? "").localeCompare(String(a.submitted_at ?? "")) || b.id - a.id);
  const latest = own[0];
  return latest && (latest.state === "rejected" || latest.state === "expired") ? latest : undefined;
}

/** "Redo": a new report of the asset, prefilled with the turned-down request's target and reason. */
export function redoHref(code: string, request: Cached): string {
  const query = new URLSearchParams({ to: String(request.to_status ?? ""), reason: String(request.reason ?? "") });
  return `/a/${encodeURIComponent(code)}/report?${query.toString()}`;
}

/** The report's prefill from its address (`?to=maintenance&reason=…`), the target only if allowed now. */
export function reportPrefill(search: string, targets: string[]): { to: string; reason: string } {
  const query = new URLSearchParams(search);
  const to = query.get("to") ?? "";
  return { to: targets.includes(to) ? to : "", reason: query.get("reason") ?? "" };
}

export function allowedTargets(view: AssetView): string[] {
  const status = String(view.asset.status);
  const fromCard = view.card?.allowed_statuses;
  // The card is only as fresh as the status it was fetched with.
  if (fromCard && (view.asset._card_version ?? null) === view.asset.status_version) return fromCard;
  return TRANSITIONS[status] ?? [];
}

export async function loadAsset(code: string): Promise<AssetView | null> {
  const asset = await assetByCode(code);
  if (!asset) return null;
  const project = await getCached("cache_projects", Number(asset.project_id));
  const requests = await requestsOfAsset(asset.id);
  const openRequest = requests.find((request) => request.state === "pending");
  // Without storage (a browser that refuses IndexedDB) there is no outbox to read: nothing unsent.
  const unsent = unsentReports(await listOutbox().catch(() => []), asset.id);
  return {
    asset,
    project,
    openRequest,
    card: asset._card as AssetCard | undefined,
    flags: keptFlags(asset),
    requests,
    unsent,
  };
}

/** Refresh the card's side details (tenant, inspections, allowed moves) when online. */
async function fetchCard(asset: Cached): Promise<void> {
  const card = await api<AssetCard & { status_version: number }>(
    `/api/board/assets/${asset.id}?history_page_size=1`,
  );
  await attachDetail("cache_assets", asset.id, "_card", {
    lease: card.lease ?? null,
    inspections: (card.inspections ?? []).slice(0, 3),
    allowed_statuses: card.allowed_statuses,
  });
  await attachDetail("cache_assets", asset.id, "_card_version", card.status_version);
}

/**
 * The asset by its code, from the cache, refreshed from the server when online; `flagsFresh` says whether
 * its flags are the server's answer of just now (else they are the last one kept, possibly out of date).
 */
export function useAsset(code: string): { view: AssetView | null | undefined; reload: () => void; flagsFresh: boolean } {
  const [view, setView] = useState<AssetView | null | undefined>(undefined);
  const [flagsFresh, setFlagsFresh] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setFlagsFresh(false);
    const load = () => loadAsset(code).then((found) => live && setView(found));
    void load().then(async () => {
      const found = await assetByCode(code);
      if (found && navigator.onLine) {
        await Promise.all([
          fetchCard(found).catch((error: unknown) => {
            if (!(error instanceof NetworkError)) console.warn("asset card", error);
          }),
          fetchFlags(found).then(
            () => live && setFlagsFresh(true),
            (error: unknown) => {
              if (!(error instanceof NetworkError)) console.warn("asset flags", error);
            },
          ),
        ]);
        await load();
      }
    });
    let wasRunning = false;
    const stopOutbox = onOutboxChange(() => void load());
    const stop = onSyncStatus((status) => {
      if (wasRunning && !status.running) void load();
      wasRunning = status.running;
    });
    return () => {
      live = false;
      stop();
      stopOutbox();
    };
  }, [code, tick]);
  return { view, reload: () => setTick((n) => n + 1), flagsFresh };
}

/** A floor as people say it: "12F", "12楼", "12层", "L12", "12" are all floor 12; "B1" stays a basement. */
export function normaliseFloor(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim().toUpperCase().replace(/\s+/g, "");
  const found = /^(?:L|F|第)?(B?-?\d+)(?:F|L|楼|层|樓)?$/.exec(text);
  return found ? found[1].replace(/^(-?)0+(?=\d)/, "$1") : null;
}

function squash(value: unknown): string {
  return String(value ?? "").trim().toUpperCase().replace(/\s+/g, "");
}

/** An asset code without its project's prefix: "SH-LJZ-0305" in project "SH-LJZ" is "0305". */
function shortCode(code: string, projectCode: string | undefined): string {
  if (projectCode && code.toUpperCase().startsWith(`${projectCode.toUpperCase()}-`)) return code.slice(projectCode.length + 1);
  const dash = code.lastIndexOf("-");
  return dash >= 0 ? code.slice(dash + 1) : code;
}

export interface SearchHit {
  asset: Cached;
  /** How it matched, best first: the whole code, the code without the project prefix, the floor, part of the code or the name. */
  match: "code" | "short_code" | "floor" | "partial";
}

const RANK: Record<SearchHit["match"], number> = { code: 0, short_code: 1, floor: 2, partial: 3 };

/**
 * The cached assets a typed text names: the code case-insensitively with or without its project prefix
 * ("sh-ljz-0305", "0305"), a floor ("12F", "12楼", "12"), or part of the code or the unit's name.
 */
export function searchAssets(query: string, assets: Cached[], projects: Cached[]): SearchHit[] {
  const wanted = squash(query);
  if (!wanted) return [];
  const projectCodes = new Map(projects.map((project) => [project.id, String(project.code ?? "")]));
  const floor = normaliseFloor(query);
  const hits: SearchHit[] = [];
  for (const asset of assets) {
    const code = squash(asset.code);
    const short = squash(shortCode(String(asset.code ?? ""), projectCodes.get(Number(asset.project_id))));
    let match: SearchHit["match"] | null = null;
    if (code === wanted) match = "code";
    else if (short === wanted) match = "short_code";
    else if (floor !== null && normaliseFloor(asset.floor) === floor) match = "floor";
    else if (code.includes(wanted) || squash(asset.name).includes(wanted)) match = "partial";
    if (match) hits.push({ asset, match });
  }
  return hits.sort(
    (a, b) => RANK[a.match] - RANK[b.match] || String(a.asset.code).localeCompare(String(b.asset.code), undefined, { numeric: true }),
  );
}

/** The one asset a typed text surely means (its code, or its code without the prefix), if exactly one. */
export function exactHit(hits: SearchHit[]): Cached | undefined {
  const exact = hits.filter((hit) => hit.match === "code" || hit.match === "short_code");
  return exact.length === 1 || (exact.length > 1 && exact[0].match === "code" && exact[1].match !== "code") ? exact[0].asset : undefined;
}

/** Search the phone's cache. */
export async function searchCached(query: string): Promise<SearchHit[]> {
  const [assets, projects] = await Promise.all([allCached("cache_assets"), allCached("cache_projects")]);
  return searchAssets(query, assets, projects);
}

/** The assets of one project grouped by floor (numeric order, assets without a floor last). */
export function byFloor(assets: Cached[]): { floor: string | null; assets: Cached[] }[] {
  const groups = new Map<string | null, Cached[]>();
  for (const asset of assets) {
    const floor = normaliseFloor(asset.floor) ?? (asset.floor ? String(asset.floor) : null);
    groups.set(floor, [...(groups.get(floor) ?? []), asset]);
  }
  const order = (floor: string | null) => (floor === null ? Infinity : Number(floor.replace(/^B/, "-")) || 0);
  return [...groups.entries()]
    .sort(([a], [b]) => order(a) - order(b) || String(a).localeCompare(String(b)))
    .map(([floor, list]) => ({
      floor,
      assets: list.sort((x, y) => String(x.code).localeCompare(String(y.code), undefined, { numeric: true })),
    }));
}
