/** Start-up: stored session, the service worker, automatic sync, then the app. */
import { render } from "preact";
import { registerSW } from "virtual:pwa-register";
import { App } from "./app";
import { adoptProfileLocale } from "./locale";
import { releaseSending } from "./outbox";
import { bootState, refreshPending, session, updateReady } from "./state";
import { registerBackgroundSync, startAutoSync } from "./sync";
import "./styles.css";

async function start(): Promise<void> {
  await bootState();
  void adoptProfileLocale();
  // A sync cut short by closing the app left entries `sending`: they go back to the head of the queue.
  await releaseSending();
  await refreshPending();

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
      void navigator.storage?.persist?.().catch(() => false);
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
