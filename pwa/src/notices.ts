/**
 * Decisions on the user's own reports that they have not looked at yet: a rejection or an expiry seen in the
 * pulled feed or in the server's notifications, shown as a banner until opened in "my reports".
 */
import { api } from "./api";
import { getMeta, setMeta, storageAvailable } from "./db";
import { Store } from "./store";

export interface Decision {
  request_id: number;
  state: string;
  asset_id: number | null;
  asset_code?: string | null;
  to_status: string | null;
  reason: string | null;
  note: string | null;
  decided_at: string | null;
  /** The server's notification that told of it, marked read when the banner is dismissed. */
  notification_id?: number;
}

const KEY = "unseen_decisions";
/** Requests whose decision the user has dismissed: the server's unread notice of it does not bring it back. */
const SEEN = "seen_decisions";
export const notices = new Store<Decision[]>([]);

async function keep(list: Decision[]): Promise<void> {
  notices.set(list);
  if (await storageAvailable()) await setMeta(KEY, list);
}

export async function loadNotices(): Promise<void> {
  if (!(await storageAvailable())) return;
  notices.set((await getMeta<Decision[]>(KEY)) ?? []);
}

/** New decisions join the list (one per request, the newest wins); one the user has dismissed stays away. */
export async function recordDecisions(decisions: Decision[]): Promise<void> {
  const stored = await storageAvailable();
  const seen = new Set(stored ? ((await getMeta<number[]>(SEEN)) ?? []) : []);
  const unseen = decisions.filter((decision) => !seen.has(decision.request_id));
  if (!unseen.length) return;
  const fresh = new Set(unseen.map((decision) => decision.request_id));
  const current = stored ? ((await getMeta<Decision[]>(KEY)) ?? []) : notices.get();
  await keep([...unseen, ...current.filter((decision) => !fresh.has(decision.request_id))]);
}

/** The user has seen the decision on this request (or all of them): gone from the banner, read on the server. */
export async function dismissNotice(requestId?: number): Promise<void> {
  const current = notices.get();
  const seen = requestId === undefined ? current : current.filter((decision) => decision.request_id === requestId);
  await keep(requestId === undefined ? [] : current.filter((decision) => decision.request_id !== requestId));
  if (await storageAvailable()) {
    const before = (await getMeta<number[]>(SEEN)) ?? [];
    await setMeta(SEEN, [...new Set([...before, ...seen.map((decision) => decision.request_id)])].slice(-500));
  }
  for (const decision of seen) {
    if (decision.notification_id === undefined) continue;
    // Best effort: offline, the notice stays unread on the server, and SEEN keeps it off the banner.
    await api(`/api/notifications/${decision.notification_id}/read`, { method: "POST" }).catch(() => undefined);
  }
}

interface ServerNotification {
  id: number;
  kind: string;
  title?: string | null;
  body?: string | null;
  subject_type?: string | null;
  subject_id?: number | null;
  read_at?: string | null;
}

/**
 * The server's own unread notices about decisions on this user's requests (another device may have missed
 * the feed's change); the ones the banner does not know yet join it.
 */
export async function fetchDecisionNotices(): Promise<void> {
  const items = await api<ServerNotification[] | null>("/api/notifications?page_size=50");
  const decided = (items ?? []).filter(
    (item) =>
      item.kind === "status_request.decided" && !item.read_at && item.subject_type === "status_change_request" && item.subject_id,
  );
  const seen = (await storageAvailable()) ? ((await getMeta<number[]>(SEEN)) ?? []) : [];
  const known = new Set([...notices.get().map((decision) => decision.request_id), ...seen]);
  const added: Decision[] = [];
  for (const item of decided) {
    if (known.has(Number(item.subject_id))) continue;
    // The notice's text is the server's; what was decided, and why, is the request's own.
    const request = await api<Record<string, unknown> | null>(`/api/status-requests/${Number(item.subject_id)}`, {
      allow404: true,
    });
    if (!request || (request.state !== "rejected" && request.state !== "expired")) continue;
    added.push({
      request_id: Number(item.subject_id),
      state: String(request.state),
      asset_id: typeof request.asset_id === "number" ? request.asset_id : null,
      asset_code: typeof request.asset_code === "string" ? request.asset_code : null,
      to_status: typeof request.to_status === "string" ? request.to_status : null,
      reason: typeof request.reason === "string" ? request.reason : null,
      note: typeof request.decision_note === "string" ? request.decision_note : null,
      decided_at: typeof request.decided_at === "string" ? request.decided_at : null,
      notification_id: item.id,
    });
  }
  if (added.length) await recordDecisions(added);
}
