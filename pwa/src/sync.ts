/**
 * The sync client: the outbox in device order first (a report whose photos are still on the way is filed as
 * evidence pending), then the pull feed into the cache, then the photos; only while the browser is online.
 */
import { api, ApiError, NetworkError, request } from "./api";
import {
  db,
  getMeta,
  getSession,
  markPhotoUploaded,
  photoSize,
  photosInState,
  resetScopeCache,
  setMeta,
  setPhotoState,
  storageAvailable,
  type CacheStore,
} from "./db";
import { fetchDecisionNotices, recordDecisions, type Decision } from "./notices";
import { Store } from "./store";
import {
  acknowledge,
  listOutbox,
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

/** At most this many photos travel at once: enough to fill a slow uplink, few enough to finish each. */
export const PHOTO_CONCURRENCY = 3;

/** How far the drain of a (long) queue has come, for the badge and the outbox. */
export interface DrainProgress {
  /** Commands the server accepted (or refused) since the queue was last empty. */
  commandsSent: number;
  /** Commands not yet accepted. */
  commandsLeft: number;
  photosDone: number;
  photosTotal: number;
  bytesDone: number;
  bytesTotal: number;
  uploading: boolean;
}

export const drain = new Store<DrainProgress>({
  commandsSent: 0,
  commandsLeft: 0,
  photosDone: 0,
  photosTotal: 0,
  bytesDone: 0,
  bytesTotal: 0,
  uploading: false,
});

function progress(patch: Partial<DrainProgress>): void {
  drain.set({ ...drain.get(), ...patch });
}

/**
 * Upload the photos the server does not have yet, up to three at a time, each in one idempotent
 * `PUT /api/photos/{sha256}` (201 stored, 200 already there: done either way); its bytes leave the phone
 * at once. A dropped connection stops the round (what was sent stays sent); the next one resumes.
 */
export async function uploadPhotos(concurrency: number = PHOTO_CONCURRENCY): Promise<void> {
  const queue = (await photosInState("pending")).sort((a, b) => a.created_at - b.created_at);
  const previous = drain.get();
  // A new round continues the figures of an interrupted one; a queue that was empty starts them anew.
  const carried = previous.photosDone < previous.photosTotal ? previous : { photosDone: 0, bytesDone: 0 };
  progress({
    uploading: queue.length > 0,
    photosDone: carried.photosDone,
    bytesDone: carried.bytesDone,
    photosTotal: carried.photosDone + queue.length,
    bytesTotal: carried.bytesDone + queue.reduce((sum, photo) => sum + photoSize(photo), 0),
  });
  let stop: unknown = null;
  const worker = async () => {
    for (let photo = queue.shift(); photo && stop === null; photo = queue.shift()) {
      try {
        if (!photo.blob) throw new ApiError(410, "The photo's bytes are no longer on this phone.");
        await request(`/api/photos/${photo.sha256}?asset_id=${photo.asset_id}`, {
          method: "PUT",
          body: photo.blob,
          headers: { "Content-Type": "application/octet-stream" },
        });
        await markPhotoUploaded(photo.sha256);
      } catch (error) {
        if (!isPermanent(error)) {
          stop ??= error;
          break;
        }
        await setPhotoState(photo.sha256, "failed", (error as ApiError).message);
      }
      const now = drain.get();
      progress({ photosDone: now.photosDone + 1, bytesDone: now.bytesDone + photoSize(photo) });
      await settleEvidence();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    progress({ uploading: false });
  }
  await settleEvidence();
  if (stop !== null) throw stop;
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
  const waiting = await pendingCount();
  // Counted from the moment the queue was last empty: "12 sent, 488 to go".
  progress({ commandsSent: drain.get().commandsLeft ? drain.get().commandsSent : 0, commandsLeft: waiting });
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
    const left = await pendingCount();
    const { commandsSent, commandsLeft } = drain.get();
    progress({ commandsSent: commandsSent + Math.max(0, commandsLeft - left), commandsLeft: left });
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

/**
 * A decision on one of the user's own requests, seen as a change of its state in the feed. A request the phone
 * has not held before is one only if this phone filed it (checked by the caller): a manager may decide between
 * the push that filed it and the pull that would have brought it while still pending.
 */
function decisionOf(previous: Record<string, unknown> | undefined, data: Record<string, unknown>, me: number | undefined): Decision | null {
  if (me === undefined || data.applicant_id !== me || (previous && previous.state === data.state)) return null;
  if (data.state !== "rejected" && data.state !== "expired") return null;
  return {
    request_id: Number(data.id),
    state: data.state,
    asset_id: typeof data.asset_id === "number" ? data.asset_id : null,
    to_status: typeof data.to_status === "string" ? data.to_status : null,
    reason: typeof data.reason === "string" ? data.reason : null,
    note: typeof data.decision_note === "string" ? data.decision_note : null,
    decided_at: typeof data.decided_at === "string" ? data.decided_at : null,
  };
}

async function applyPage(page: PullPage): Promise<void> {
  const me = (await getSession())?.user.id;
  const database = await db();
  const stores = [...new Set(Object.values(ENTITY_STORES))];
  const tx = database.transaction([...stores, "meta" as const], "readwrite");
  const rejections: Record<string, unknown>[] = [];
  const decisions: Decision[] = [];
  const firstSeen: Decision[] = [];
  for (const change of page.changes) {
    const storeName = ENTITY_STORES[change.entity];
    if (!storeName) continue;
    const store = tx.objectStore(storeName);
    if (change.op === "delete") {
      await store.delete(change.id);
    } else if (change.data) {
      const previous = await store.get(change.id);
      await store.put(merge(previous, change.data, change.id));
      if (change.entity === "rejection") rejections.push(change.data);
      const decision = change.entity === "status_request" ? decisionOf(previous, change.data, me) : null;
      if (decision) {
        const asset = decision.asset_id === null ? undefined : await tx.objectStore("cache_assets").get(decision.asset_id);
        (previous ? decisions : firstSeen).push({ ...decision, asset_code: asset ? String(asset.code) : null });
      }
    }
  }
  await tx.objectStore("meta").put(page.cursor, "cursor");
  await tx.done;
  for (const rejection of rejections) await recordPulledRejection(rejection);
  if (firstSeen.length) {
    const filed = new Set(
      (await listOutbox()).filter((entry) => entry.name === "status_change.request").map((entry) => Number(entry.result?.id)),
    );
    decisions.push(...firstSeen.filter((decision) => filed.has(decision.request_id)));
  }
  if (decisions.length) await recordDecisions(decisions);
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

/** The time of the last sync that reached the server, as kept across reloads (offline ones included). */
export async function loadLastSync(): Promise<void> {
  const kept = await getMeta<number>("last_sync_at").catch(() => undefined);
  if (typeof kept === "number" && (status.lastSyncAt ?? 0) < kept) setStatus({ lastSyncAt: kept });
}

async function synced(report: PushReport | null): Promise<void> {
  const now = Date.now();
  setStatus({ lastSyncAt: now, error: null, unauthorized: false, ...(report ? { stopped: report.stopped } : {}) });
  await setMeta("last_sync_at", now);
}

async function failed(error: unknown): Promise<void> {
  setStatus({
    error: error instanceof NetworkError ? "offline" : (error as Error).message,
    unauthorized: error instanceof ApiError && error.status === 401,
  });
  if (error instanceof ApiError && (error.status === 503 || error.status === 429)) retryIn(BUSY_RETRY_MS);
  // Where the browser has Background Sync, it wakes the app again once the network is back.
  if (error instanceof NetworkError && (await pendingCount()) > 0) void registerBackgroundSync();
}

/** The server's notifications are read at most this often (the feed carries the same news for this phone). */
const NOTICES_EVERY_MS = 120_000;
let noticesAt = 0;

/** Commands, then the feed: what the badge and the manager wait for. */
async function runCommands(): Promise<void> {
  setStatus({ running: true });
  try {
    const report = await push();
    await pull();
    await prune();
    await synced(report);
    if (Date.now() - noticesAt > NOTICES_EVERY_MS) {
      noticesAt = Date.now();
      // A notice is a convenience: a server without the list, or a failure, costs nothing here.
      await fetchDecisionNotices().catch(() => undefined);
    }
    if (report.stopped?.reason === "transient") retryIn(report.stopped.retry_after * 1000);
  } catch (error) {
    await failed(error);
    throw error;
  } finally {
    setStatus({ running: false });
  }
}

async function runPhotos(): Promise<void> {
  try {
    await uploadPhotos();
  } catch (error) {
    await failed(error);
    throw error;
  }
}

/** One lane: a call while it runs asks for one more run after it, and waits for that one. */
function lane(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}

const commandLane = lane(runCommands);
const photoLane = lane(runPhotos);
let retryTimer: ReturnType<typeof setTimeout> | null = null;

function retryIn(ms: number): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = setTimeout(quietly, ms);
}

/** Whether the browser says it has a network (never try without: each try is a failed request). */
function browserOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

/**
 * Sync: the commands (and the feed) first, then the photos. Photos upload in their own lane, so a report
 * queued while a week's photos are on the way goes out at once instead of after them.
 */
export async function syncNow(): Promise<void> {
  if (!(await storageAvailable())) return;
  if (!browserOnline()) {
    setStatus({ error: "offline" });
    return;
  }
  await commandLane();
  await photoLane();
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
    if (browserOnline() && document.visibilityState === "visible") quietly();
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
