/// <reference lib="webworker" />
/**
 * The service worker: the app shell and assets precached under versioned `leasekeeper-` caches, navigations
 * answered with the shell (so `/a/<code>` opens offline), API requests never touched (always the network,
 * never a stale answer), Web Push notifications (a tap opens its page in the open app), and Background Sync
 * passed on to the open app.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { cacheNames, setCacheNameDetails } from "workbox-core";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

const VERSION = "v1";
setCacheNameDetails({ prefix: "leasekeeper", suffix: VERSION, precache: "precache", runtime: "runtime" });

// workbox-precaching waits for every precached file in `install` and removes its own outdated caches.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL("/index.html"), {
    // The office app is a page of its own (and the API docs and calendar feeds are under /api/).
    denylist: [/^\/api\//, /^\/office(\/|$)/, /^\/healthz$/, /^\/readyz$/],
  }),
);

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([cacheNames.precache, cacheNames.runtime]);
      const names = await caches.keys();
      // Only our own caches from earlier versions; never another app's on the same origin.
      await Promise.all(names.filter((name) => name.startsWith("leasekeeper-") && !keep.has(name)).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

async function tellClients(type: string): Promise<number> {
  const clients = await self.clients.matchAll({ type: "window" });
  clients.forEach((client) => client.postMessage({ type }));
  return clients.length;
}

self.addEventListener("sync", (event) => {
  const syncEvent = event as ExtendableEvent & { tag: string };
  if (syncEvent.tag === "leasekeeper-outbox") syncEvent.waitUntil(tellClients("sync-requested"));
});

interface PushPayload {
  title?: string;
  body?: string;
  url?: string;
  tag?: string;
}

self.addEventListener("push", (event) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() as PushPayload) ?? {};
  } catch {
    payload = { body: event.data?.text() };
  }
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(payload.title ?? "LeaseKeeper", {
        body: payload.body,
        tag: payload.tag,
        icon: "/icons/icon-192.png",
        badge: "/icons/icon-192.png",
        data: { url: payload.url ?? "/approvals" },
      }),
      tellClients("sync-requested"),
    ]),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // A decision on one's own report opens it in "my reports" (`/reports?request=12`); a new request, its page.
  const target = new URL((event.notification.data as { url?: string } | null)?.url ?? "/", self.location.origin);
  event.waitUntil(
    (async () => {
      const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = all.find((client) => new URL(client.url).origin === target.origin) as WindowClient | undefined;
      if (!open) {
        await self.clients.openWindow(target.href);
        return;
      }
      await open.focus();
      // Without includeUncontrolled, matchAll lists only the pages this worker controls: those move in place
      // (their state stays); another page loads the address.
      const controlled = await self.clients.matchAll({ type: "window" });
      if (controlled.some((client) => client.id === open.id)) {
        open.postMessage({ type: "navigate", url: target.pathname + target.search });
      } else {
        await open.navigate(target.href).catch(() => undefined);
      }
    })(),
  );
});
