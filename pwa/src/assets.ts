/** An asset as the screens need it: the cached entity, its project, its open request and its card. */
import { useEffect, useState } from "preact/hooks";
import { api, NetworkError } from "./api";
import { assetByCode, attachDetail, getCached, requestsOfAsset, type Cached } from "./db";
import { fetchFlags, keptFlags, type KeptFlags } from "./flags";
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
  return { asset, project, openRequest, card: asset._card as AssetCard | undefined, flags: keptFlags(asset) };
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
    const stop = onSyncStatus((status) => {
      if (wasRunning && !status.running) void load();
      wasRunning = status.running;
    });
    return () => {
      live = false;
      stop();
    };
  }, [code, tick]);
  return { view, reload: () => setTick((n) => n + 1), flagsFresh };
}
