/** App-wide state the screens share: the session, the network, the pending count, the toast. */
import { useEffect, useState } from "preact/hooks";
import { Store } from "./store";
import { onConnectivity, setToken } from "./api";
import { getSession, type Session } from "./db";
import { onOutboxChange, pendingCount } from "./outbox";
import { onSyncStatus } from "./sync";
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

export async function refreshPending(): Promise<void> {
  pending.set(await pendingCount());
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
  const stored = (await getSession()) ?? null;
  setToken(stored?.token ?? null);
  if (stored) setLanguage(toLanguage(stored.user.locale));
  session.set(stored);
  browserOnline = navigator.onLine;
  updateOnline();
  onOutboxChange(() => void refreshPending());
  onSyncStatus((status) => signInAgain.set(status.unauthorized));
  await refreshPending();
}
