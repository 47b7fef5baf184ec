/** The only owner of the app's IndexedDB: its name, version, stores and upgrades. */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

export const DB_NAME = "leasekeeper";
export const DB_VERSION = 2;

/**
 * Where a command stands on this phone: `sent` means the server accepted it (a status request then waits
 * for a manager: see outbox.ts `entryState`), `refused` that the server would not apply it.
 */
export type CommandState = "queued" | "sending" | "sent" | "refused" | "evidence_pending";

export interface OutboxEntry {
  device_seq: number;
  op_id: string;
  name: string;
  version: number;
  args: Record<string, unknown>;
  captured_at: string;
  state: CommandState;
  /** Photos the command cites; until each is uploaded an applied command is `evidence_pending`. */
  photo_hashes: string[];
  /** The summary as written at queue time; shown only when `describeCommand` has nothing better. */
  summary: string;
  /** What the command's args do not say but its description needs (asset code, status then, checklist). */
  context?: CommandContext;
  queued_at: number;
  acked_at?: number;
  result?: Record<string, unknown>;
  code?: string;
  message?: string;
  fields?: Record<string, unknown>;
}

export interface CommandContext {
  asset_code?: string;
  from_status?: string;
  checklist_name?: string;
  checklist_title_zh?: string | null;
  checklist_title_en?: string | null;
}

export type PhotoState = "pending" | "uploaded" | "failed";

export interface StoredPhoto {
  sha256: string;
  /** The bytes to upload; dropped as soon as the server has them (only `size` and `thumb` stay). */
  blob?: Blob;
  /** A small JPEG for the screens that show the photo after its bytes are gone. */
  thumb?: Blob;
  size?: number;
  asset_id: number;
  state: PhotoState;
  created_at: number;
  error?: string;
}

export interface Session {
  token: string;
  device_id: number | null;
  user: { id: number; username: string; display_name?: string | null; locale?: string | null };
  permissions: string[];
}

/** A cached entity: the server's latest `data`, plus details fetched on the side (kept across upserts). */
export type Cached = Record<string, unknown> & { id: number };

export type CacheStore =
  | "cache_assets"
  | "cache_projects"
  | "cache_checklists"
  | "cache_requests"
  | "cache_work_orders"
  | "rejections";

export interface LeaseKeeperDB extends DBSchema {
  session: { key: string; value: Session };
  outbox: { key: number; value: OutboxEntry; indexes: { op_id: string; state: CommandState } };
  photos: { key: string; value: StoredPhoto; indexes: { state: PhotoState } };
  cache_assets: { key: number; value: Cached; indexes: { code: string; project_id: number } };
  cache_projects: { key: number; value: Cached };
  cache_checklists: { key: number; value: Cached };
  cache_requests: { key: number; value: Cached; indexes: { asset_id: number } };
  cache_work_orders: { key: number; value: Cached };
  rejections: { key: number; value: Cached };
  meta: { key: string; value: unknown };
}

export type DB = IDBPDatabase<LeaseKeeperDB>;

let opening: Promise<DB> | null = null;
let available: Promise<boolean> | null = null;

/**
 * Whether this browser keeps data: WeChat's built-in browser (what its label scanner opens) may have no
 * IndexedDB at all, or one that fails to open; the app then runs online only.
 */
export function storageAvailable(): Promise<boolean> {
  available ??= (async () => {
    if (typeof indexedDB === "undefined" || indexedDB === null) return false;
    try {
      await db();
      return true;
    } catch {
      opening = null;
      return false;
    }
  })();
  return available;
}

/** The app's database, opened (and upgraded) once per page. */
export function db(): Promise<DB> {
  if (typeof indexedDB === "undefined" || indexedDB === null) return Promise.reject(new Error("no IndexedDB"));
  opening ??= openDB<LeaseKeeperDB>(DB_NAME, DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore("session");
        const outbox = database.createObjectStore("outbox", { keyPath: "device_seq" });
        outbox.createIndex("op_id", "op_id", { unique: true });
        outbox.createIndex("state", "state");
        const photos = database.createObjectStore("photos", { keyPath: "sha256" });
        photos.createIndex("state", "state");
        const assets = database.createObjectStore("cache_assets", { keyPath: "id" });
        assets.createIndex("code", "code", { unique: false });
        assets.createIndex("project_id", "project_id");
        database.createObjectStore("cache_projects", { keyPath: "id" });
        database.createObjectStore("cache_checklists", { keyPath: "id" });
        const requests = database.createObjectStore("cache_requests", { keyPath: "id" });
        requests.createIndex("asset_id", "asset_id");
        database.createObjectStore("cache_work_orders", { keyPath: "id" });
        database.createObjectStore("rejections", { keyPath: "id" });
        database.createObjectStore("meta");
      }
      if (oldVersion >= 1 && oldVersion < 2) {
        // v2 names what the server did: "applied" was a status request merely accepted, "rejected" a refusal.
        void (async () => {
          let cursor = await transaction.objectStore("outbox").openCursor();
          while (cursor) {
            const state = cursor.value.state as string;
            if (state === "applied") await cursor.update({ ...cursor.value, state: "sent" });
            else if (state === "rejected") await cursor.update({ ...cursor.value, state: "refused" });
            cursor = await cursor.continue();
          }
          let photo = await transaction.objectStore("photos").openCursor();
          while (photo) {
            const value = photo.value;
            if (value.state === "uploaded" && value.blob) {
              await photo.update({ ...value, size: value.blob.size, blob: undefined });
            } else if (value.size === undefined && value.blob) {
              await photo.update({ ...value, size: value.blob.size });
            }
            photo = await photo.continue();
          }
        })();
      }
    },
    blocked() {
      // An old tab holds the previous version open; it reloads when it sees `versionchange`.
    },
    blocking() {
      opening = null;
    },
  });
  return opening;
}

/** Close and forget the connection (tests reset the database between cases). */
export async function closeDb(): Promise<void> {
  if (opening) (await opening.catch(() => null))?.close();
  opening = null;
  available = null;
  memorySession = undefined;
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get("meta", key)) as T | undefined;
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await (await db()).put("meta", value, key);
}

/** Online only, the session lives as long as the tab (and its sessionStorage, where there is one). */
let memorySession: Session | undefined;
const TAB_SESSION = "leasekeeper.session";

function tabStorage(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null;
  }
}

export async function getSession(): Promise<Session | undefined> {
  if (await storageAvailable()) return (await db()).get("session", "current");
  if (memorySession) return memorySession;
  const kept = tabStorage()?.getItem(TAB_SESSION);
  return kept ? (JSON.parse(kept) as Session) : undefined;
}

export async function saveSession(session: Session): Promise<void> {
  if (await storageAvailable()) {
    await (await db()).put("session", session, "current");
    return;
  }
  memorySession = session;
  tabStorage()?.setItem(TAB_SESSION, JSON.stringify(session));
}

/** Forget the user and everything cached for them; the outbox must be empty (checked by the caller). */
export async function clearSession(): Promise<void> {
  memorySession = undefined;
  tabStorage()?.removeItem(TAB_SESSION);
  if (!(await storageAvailable())) return;
  const database = await db();
  const stores = [
    "session",
    "outbox",
    "photos",
    "cache_assets",
    "cache_projects",
    "cache_checklists",
    "cache_requests",
    "cache_work_orders",
    "rejections",
  ] as const;
  const tx = database.transaction([...stores, "meta" as const], "readwrite");
  await Promise.all(stores.map((name) => tx.objectStore(name).clear()));
  // The device seq counter belongs to the device token, which is gone with the session.
  await tx.objectStore("meta").clear();
  await tx.done;
}

/** Drop the cached scope and the pull cursor together: the next pull downloads the scope again. */
export async function resetScopeCache(): Promise<void> {
  const database = await db();
  const stores = ["cache_assets", "cache_projects", "cache_checklists", "cache_requests", "cache_work_orders"] as const;
  const tx = database.transaction([...stores, "meta" as const], "readwrite");
  await Promise.all(stores.map((name) => tx.objectStore(name).clear()));
  await tx.objectStore("meta").delete("cursor");
  await tx.done;
}

export async function assetByCode(code: string): Promise<Cached | undefined> {
  return (await db()).getFromIndex("cache_assets", "code", code);
}

export async function getCached(store: CacheStore, id: number): Promise<Cached | undefined> {
  return (await db()).get(store, id);
}

export async function allCached(store: CacheStore): Promise<Cached[]> {
  return (await db()).getAll(store);
}

/** Keep details fetched on the side (e.g. the asset card, a request's evidence) with the cached entity. */
export async function attachDetail(store: CacheStore, id: number, key: string, detail: unknown): Promise<void> {
  const database = await db();
  const tx = database.transaction(store, "readwrite");
  const current = await tx.store.get(id);
  if (current) await tx.store.put({ ...current, [key]: detail });
  await tx.done;
}

export async function requestsOfAsset(assetId: number): Promise<Cached[]> {
  return (await db()).getAllFromIndex("cache_requests", "asset_id", assetId);
}

export async function putPhoto(photo: StoredPhoto): Promise<void> {
  await (await db()).put("photos", photo);
}

export async function getPhoto(sha256: string): Promise<StoredPhoto | undefined> {
  return (await db()).get("photos", sha256);
}

export async function photosInState(state: PhotoState): Promise<StoredPhoto[]> {
  return (await db()).getAllFromIndex("photos", "state", state);
}

export async function setPhotoState(sha256: string, state: PhotoState, error?: string): Promise<void> {
  const database = await db();
  const tx = database.transaction("photos", "readwrite");
  const photo = await tx.store.get(sha256);
  if (photo) await tx.store.put({ ...photo, state, error });
  await tx.done;
}

/** The server has the photo: its bytes leave the phone at once; its size and thumbnail stay for the screens. */
export async function markPhotoUploaded(sha256: string): Promise<void> {
  const database = await db();
  const tx = database.transaction("photos", "readwrite");
  const photo = await tx.store.get(sha256);
  if (photo) {
    const { blob, ...kept } = photo;
    await tx.store.put({ ...kept, size: photo.size ?? blob?.size ?? 0, state: "uploaded", error: undefined });
  }
  await tx.done;
}

export function photoSize(photo: StoredPhoto): number {
  return photo.size ?? photo.blob?.size ?? 0;
}

/** Bytes of evidence on this phone the server does not have yet. */
export async function unsentEvidenceBytes(): Promise<number> {
  if (!(await storageAvailable())) return 0;
  return (await photosInState("pending")).reduce((sum, photo) => sum + photoSize(photo), 0);
}

export interface Persistence {
  /** null: not asked yet, or the browser cannot say. */
  granted: boolean | null;
  /** Unsent evidence the browser may evict while persistence is refused. */
  atStake: number;
}

/**
 * Ask the browser to keep this origin's data under storage pressure, and what is at stake if it refuses:
 * the photos not yet uploaded (summed from their sizes; the browser's estimate counts the whole origin).
 */
export async function requestPersistence(): Promise<Persistence> {
  const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
  if (!storage?.persist) return { granted: null, atStake: 0 };
  let granted: boolean | null;
  try {
    granted = (await storage.persisted?.()) || (await storage.persist());
  } catch {
    granted = null;
  }
  return { granted, atStake: await unsentEvidenceBytes() };
}
