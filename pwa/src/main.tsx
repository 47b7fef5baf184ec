/** Start-up: stored session, the service worker, automatic sync, then the app. */
import { render } from "preact";
import { registerSW } from "virtual:pwa-register";
import { App } from "./app";
import { adoptProfileLocale } from "./locale";
import { releaseSending } from "./outbox";
import { navigate } from "./router";
import { bootState, onlineOnly, refreshPending, session, updateReady } from "./state";
import { registerBackgroundSync, startAutoSync } from "./sync";
import "./styles.css";
import "./drain.css";

/** A notification tapped while the app is open: the service worker asks the page to go there itself. */
function followServiceWorker(): void {
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: string; url?: string } | null;
    if (data?.type !== "navigate" || typeof data.url !== "string") return;
    const target = new URL(data.url, location.origin);
    if (target.origin === location.origin) navigate(target.pathname + target.search);
  });
}

async function start(): Promise<void> {
  await bootState();
  // The profile's language (the back office's too); without storage (online-only) it may not be kept.
  void adoptProfileLocale().catch(() => undefined);
  if (onlineOnly.get()) {
    // WeChat's built-in browser: no service worker, nothing kept; the app talks to the server directly.
    render(<App />, document.getElementById("app")!);
    return;
  }
  // A sync cut short by closing the app left entries `sending`: they go back to the head of the queue.
  await releaseSending();
  await refreshPending();
  followServiceWorker();

  const updateSW = registerSW({
    immediate: true,
    onNeedRefresh() {
      updateReady.set(() => {
        // The waiting worker takes over (skipWaiting, then clients.claim()); the page then reloads on it.
        navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
        void updateSW(true);
      });
    },
  });

  let stopSync: (() => void) | null = null;
  const follow = () => {
    const signedIn = Boolean(session.get());
    if (signedIn && !stopSync) {
      stopSync = startAutoSync();
      void registerBackgroundSync();
    } else if (!signedIn && stopSync) {
      stopSync();
      stopSync = null;
    }
  };
  session.subscribe(follow);
  follow();
  render(<App />, document.getElementById("app")!);
}

void start();
