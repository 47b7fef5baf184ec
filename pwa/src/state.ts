/** App-wide state the screens share: the session, the network, the pending count, the toast. */
import { useEffect, useState } from "preact/hooks";
import { Store } from "./store";
import { onConnectivity, setToken } from "./api";
import { getSession, requestPersistence, storageAvailable, unsentEvidenceBytes, type Persistence, type Session } from "./db";
import { loadNotices } from "./notices";
import { onOutboxChange, pendingCount } from "./outbox";
import { loadLastSync, onSyncStatus } from "./sync";
import { onLanguage, language, setLanguage, toLanguage, type Language } from "./i18n";

export { Store, useStore } from "./store";

export const session = new Store<Session | null | undefined>(undefined);
export const online = new Store<boolean>(typeof navigator === "undefined" ? true : navigator.onLine);

let browserOnline = online.get();
let serverReachable = true;

/** Online means the browser has a network and the server answered the last request on it. */
function updateOnline(): void {
  online.set(browserOnline && serverReachable);
}

if (typeof window !== "undefined") {
  // Listening from the start: the browser may report going offline while the app still boots.
  window.addEventListener("online", () => {
    browserOnline = true;
    serverReachable = true;
    updateOnline();
  });
  window.addEventListener("offline", () => {
    browserOnline = false;
    updateOnline();
  });
  onConnectivity((value) => {
    serverReachable = value;
    updateOnline();
  });
}
export const pending = new Store<number>(0);
export const toast = new Store<string | null>(null);
export const updateReady = new Store<(() => void) | null>(null);
/** The server refused the device token: sign in again (as the same user) to send the queue. */
export const signInAgain = new Store<boolean>(false);

let toastTimer: ReturnType<typeof setTimeout> | null = null;

export function showToast(message: string): void {
  toast.set(message);
  if (toastTimer) clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toast.set(null), 4000);
}

/** No IndexedDB or service worker here (WeChat's built-in browser): nothing can wait offline. */
export const onlineOnly = new Store<boolean>(false);
/** Whether the browser promised to keep the queue; asked when the first item is queued. */
export const persistence = new Store<Persistence>({ granted: null, atStake: 0 });

let asking: Promise<void> | null = null;

/** Ask once per page for persistent storage (again while refused and evidence is waiting, for the figure). */
function askPersistence(): Promise<void> {
  asking ??= requestPersistence()
    .then((answer) => persistence.set(answer))
    .finally(() => {
      if (persistence.get().granted !== true) asking = null;
    });
  return asking;
}

export async function refreshPending(): Promise<void> {
  if (onlineOnly.get()) return;
  const count = await pendingCount();
  const before = pending.get();
  pending.set(count);
  // The first queued item is when there is something to lose; a refusal is shown with what is at stake.
  if (count > 0 && (before === 0 || persistence.get().granted === null)) void askPersistence();
  // While refused, the warning's figure follows the uploads.
  else if (persistence.get().granted === false) persistence.set({ granted: false, atStake: await unsentEvidenceBytes() });
}

export function isManager(current: Session | null | undefined): boolean {
  return Boolean(current?.permissions.includes("field:confirm"));
}

export function useLanguage(): Language {
  const [value, setValue] = useState(language());
  useEffect(() => onLanguage(setValue), []);
  return value;
}

/** Load the stored session (the app works offline after one sign-in) and watch the network and outbox. */
export async function bootState(): Promise<void> {
  const keeps = typeof navigator !== "undefined" && "serviceWorker" in navigator && (await storageAvailable());
  onlineOnly.set(!keeps);
  const stored = (await getSession()) ?? null;
  setToken(stored?.token ?? null);
  if (stored) setLanguage(toLanguage(stored.user.locale));
  session.set(stored);
  browserOnline = navigator.onLine;
  updateOnline();
  onSyncStatus((status) => signInAgain.set(status.unauthorized));
  if (onlineOnly.get()) return;
  onOutboxChange(() => void refreshPending());
  await Promise.all([loadLastSync(), loadNotices()]);
  await refreshPending();
}
