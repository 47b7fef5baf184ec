/** The sync client: photos by hash first, then the outbox in device order, then the pull feed into the cache. */
import { api, ApiError, NetworkError, request } from "./api";
import { db, getMeta, photosInState, resetScopeCache, setMeta, setPhotoState, type CacheStore } from "./db";
import {
  acknowledge,
  MAX_BATCH,
  pendingCount,
  prune,
  recordPulledRejection,
  releaseSending,
  settleEvidence,
  takeBatch,
  type PushResponse,
  type Stopped,
} from "./outbox";

export const PROTOCOL_VERSION = 1;
export const APP_VERSION: string = typeof __APP_VERSION__ === "string" ? __APP_VERSION__ : "dev";
const PULL_LIMIT = 500;
const TIMER_MS = 30_000;
/** After the server answered "busy" (503, 429): try again this soon rather than at the next 30 s tick. */
export const BUSY_RETRY_MS = 5_000;

const ENTITY_STORES: Record<string, CacheStore> = {
  project: "cache_projects",
  asset: "cache_assets",
  checklist: "cache_checklists",
  status_request: "cache_requests",
  work_order: "cache_work_orders",
  rejection: "rejections",
};

export interface Change {
  entity: string;
  id: number;
  op: "upsert" | "delete";
  data?: Record<string, unknown>;
}

interface PullPage {
  protocol_version: number;
  changes: Change[];
  cursor: string;
  has_more: boolean;
}

export interface SyncStatus {
  running: boolean;
  lastSyncAt: number | null;
  error: string | null;
  stopped: Stopped | null;
  /** The server refused this device's token (revoked or expired): the queue waits for a new sign-in. */
  unauthorized: boolean;
}

let status: SyncStatus = { running: false, lastSyncAt: null, error: null, stopped: null, unauthorized: false };
const listeners = new Set<(status: SyncStatus) => void>();

export function onSyncStatus(listener: (status: SyncStatus) => void): () => void {
  listeners.add(listener);
  listener(status);
  return () => listeners.delete(listener);
}

function setStatus(patch: Partial<SyncStatus>): void {
  status = { ...status, ...patch };
  for (const listener of listeners) listener(status);
}

/** A permanent answer about one photo (bad image, too large, asset gone): retrying cannot help. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 408, 429].includes(error.status)
  );
}

/** Upload the photos not yet on the server; a photo the server already has is not sent again. */
export async function uploadPhotos(): Promise<void> {
  for (const photo of await photosInState("pending")) {
    try {
      const known = await request(`/api/photos/${photo.sha256}`, { allow404: true });
      if (!known) {
        await request(`/api/photos/${photo.sha256}?asset_id=${photo.asset_id}`, {
          method: "PUT",
          body: photo.blob,
          headers: { "Content-Type": "application/octet-stream" },
        });
      }
      await setPhotoState(photo.sha256, "uploaded");
    } catch (error) {
      if (!isPermanent(error)) throw error;
      await setPhotoState(photo.sha256, "failed", (error as ApiError).message);
    }
  }
  await settleEvidence();
}

export interface PushReport {
  sent: number;
  stopped: Stopped | null;
}

/** Push the queue in batches of at most 100 until it is empty or the server stops us. */
export async function push(): Promise<PushReport> {
  let sent = 0;
  let limit = MAX_BATCH;
  let gaps = 0;
  await releaseSending();
  for (let rounds = 0; rounds < 1000; rounds += 1) {
    const batch = await takeBatch(limit);
    if (!batch.length) return { sent, stopped: null };
    let response: PushResponse;
    try {
      response = await api<PushResponse>("/api/sync/push", {
        method: "POST",
        json: {
          protocol_version: PROTOCOL_VERSION,
          commands: batch.map(({ op_id, device_seq, name, version, args, captured_at }) => ({
            op_id,
            device_seq,
            name,
            version,
            args,
            captured_at,
          })),
          telemetry: { app_version: APP_VERSION, pending: await pendingCount() },
        },
      });
    } catch (error) {
      await releaseSending();
      if (error instanceof ApiError && error.status === 413 && limit > 1) {
        limit = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      throw error;
    }
    sent += batch.length;
    await acknowledge(batch, response);
    if (response.stopped?.reason === "transient") return { sent, stopped: response.stopped };
    if (response.stopped?.reason === "gap") {
      // The next round starts at the head of the queue, which holds `waiting_for_seq`.
      const head = (await (await db()).getAllFromIndex("outbox", "state", "queued"))
        .map((entry) => entry.device_seq)
        .sort((a, b) => a - b)[0];
      gaps += 1;
      if (head === undefined || head !== response.stopped.waiting_for_seq || gaps > 3) {
        return { sent, stopped: response.stopped };
      }
    }
  }
  return { sent, stopped: null };
}

function merge(previous: Record<string, unknown> | undefined, data: Record<string, unknown>, id: number) {
  const kept: Record<string, unknown> = {};
  // Details fetched on the side (`_card`, `_evidence`) stay with the entity across upserts.
  for (const [key, value] of Object.entries(previous ?? {})) if (key.startsWith("_")) kept[key] = value;
  return { ...kept, ...data, id };
}

async function applyPage(page: PullPage): Promise<void> {
  const database = await db();
  const stores = [...new Set(Object.values(ENTITY_STORES))];
  const tx = database.transaction([...stores, "meta" as const], "readwrite");
  const rejections: Record<string, unknown>[] = [];
  for (const change of page.changes) {
    const storeName = ENTITY_STORES[change.entity];
    if (!storeName) continue;
    const store = tx.objectStore(storeName);
    if (change.op === "delete") {
      await store.delete(change.id);
    } else if (change.data) {
      await store.put(merge(await store.get(change.id), change.data, change.id));
      if (change.entity === "rejection") rejections.push(change.data);
    }
  }
  await tx.objectStore("meta").put(page.cursor, "cursor");
  await tx.done;
  for (const rejection of rejections) await recordPulledRejection(rejection);
}

/** Follow the pull feed from the stored cursor; each page and its cursor are stored together. */
export async function pull(limit: number = PULL_LIMIT): Promise<number> {
  let applied = 0;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const cursor = (await getMeta<string>("cursor")) ?? "";
    let page: PullPage;
    try {
      page = await api<PullPage>("/api/sync/pull", { method: "POST", json: { cursor, limit } });
    } catch (error) {
      // 410: the server pruned the changes after this cursor; 422: it cannot read it. Either way the cache
      // can no longer be brought up to date change by change: drop it and download the scope again.
      if (error instanceof ApiError && (error.status === 410 || error.status === 422) && cursor) {
        await resetScopeCache();
        continue;
      }
      throw error;
    }
    await applyPage(page);
    applied += page.changes.length;
    if (!page.has_more) break;
  }
  return applied;
}

let running: Promise<void> | null = null;
let again = false;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

async function runOnce(): Promise<void> {
  setStatus({ running: true });
  try {
    await uploadPhotos();
    const report = await push();
    await pull();
    await prune();
    setStatus({ lastSyncAt: Date.now(), error: null, stopped: report.stopped, unauthorized: false });
    if (report.stopped?.reason === "transient") retryIn(report.stopped.retry_after * 1000);
    await setMeta("last_sync_at", Date.now());
  } catch (error) {
    setStatus({
      error: error instanceof NetworkError ? "offline" : (error as Error).message,
      unauthorized: error instanceof ApiError && error.status === 401,
    });
    if (error instanceof ApiError && (error.status === 503 || error.status === 429)) retryIn(BUSY_RETRY_MS);
    // Where the browser has Background Sync, it wakes the app again once the network is back.
    if (error instanceof NetworkError && (await pendingCount()) > 0) void registerBackgroundSync();
    throw error;
  } finally {
    setStatus({ running: false });
  }
}

function retryIn(ms: number): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = setTimeout(quietly, ms);
}

/** Run a sync; one at a time: a call while one runs asks for one more run after it. */
export function syncNow(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await runOnce();
      } while (again);
    } finally {
      running = null;
    }
  })();
  return running;
}

function quietly(): void {
  syncNow().catch(() => undefined);
}

/** Sync on open, on reconnect, on coming to the foreground, every 30 s, and when the service worker asks. */
export function startAutoSync(): () => void {
  const onVisible = () => {
    if (document.visibilityState === "visible") quietly();
  };
  const onMessage = (event: MessageEvent) => {
    if ((event.data as { type?: string } | null)?.type === "sync-requested") quietly();
  };
  window.addEventListener("online", quietly);
  document.addEventListener("visibilitychange", onVisible);
  navigator.serviceWorker?.addEventListener("message", onMessage);
  const timer = setInterval(() => {
    if (navigator.onLine && document.visibilityState === "visible") quietly();
  }, TIMER_MS);
  quietly();
  return () => {
    window.removeEventListener("online", quietly);
    document.removeEventListener("visibilitychange", onVisible);
    navigator.serviceWorker?.removeEventListener("message", onMessage);
    clearInterval(timer);
  };
}

/** Ask the service worker for a Background Sync, an extra trigger where the browser has one. */
export async function registerBackgroundSync(): Promise<void> {
  const registration = await navigator.serviceWorker?.ready;
  const sync = (registration as (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined)?.sync;
  if (sync) await sync.register("leasekeeper-outbox").catch(() => undefined);
}
