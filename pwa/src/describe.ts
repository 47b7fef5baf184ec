/**
 * What an outbox entry is and where it stands, in the user's language at display time: never the raw
 * command name, never the language it was queued in.
 */
import { checklistTitle } from "./checklists";
import type { Cached, OutboxEntry } from "./db";
import { language, t } from "./i18n";

/**
 * `waiting`: the server filed the status request and a manager has yet to decide; `done`: a command that
 * needs nobody else (an inspection, a decision); `refused`: the server would not apply it.
 */
export type DisplayState =
  | "queued"
  | "sending"
  | "evidence_pending"
  | "waiting"
  | "confirmed"
  | "rejected"
  | "expired"
  | "cancelled"
  | "done"
  | "refused";

const DECIDED: Record<string, DisplayState> = {
  confirmed: "confirmed",
  rejected: "rejected",
  expired: "expired",
  cancelled: "cancelled",
};

/** The id of the request a status report filed, from the server's answer. */
export function requestIdOf(entry: OutboxEntry): number | null {
  const id = entry.result?.id;
  return entry.name === "status_change.request" && typeof id === "number" ? id : null;
}

/** Where the entry stands, given the request it filed as last pulled (if any). */
export function displayState(entry: OutboxEntry, request?: Cached): DisplayState {
  if (entry.state === "queued" || entry.state === "sending" || entry.state === "refused") return entry.state;
  if (entry.name !== "status_change.request") return entry.state === "evidence_pending" ? "evidence_pending" : "done";
  const decided = DECIDED[String(request?.state ?? "")];
  if (decided) return decided;
  return entry.state === "evidence_pending" ? "evidence_pending" : "waiting";
}

/** Groups of the outbox, in the order shown: what needs the user first. */
export const GROUPS: { key: string; states: DisplayState[] }[] = [
  { key: "attention", states: ["refused", "rejected", "expired"] },
  { key: "unsent", states: ["queued", "sending"] },
  { key: "evidence", states: ["evidence_pending"] },
  { key: "waiting", states: ["waiting"] },
  { key: "done", states: ["confirmed", "done", "cancelled"] },
];

function str(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

function statusLabel(status: unknown): string {
  return status ? t(`status.${str(status)}`) : "?";
}

/** One line saying what the command does, e.g. "SH-LJZ-1201：空置 → 维修中". */
export function describeCommand(entry: Pick<OutboxEntry, "name" | "args" | "context" | "summary">): string {
  const { args } = entry;
  const context = entry.context ?? {};
  const code = context.asset_code ?? (args.asset_id !== undefined ? `#${str(args.asset_id)}` : "");
  switch (entry.name) {
    case "status_change.request":
      return t("describe.request", { code, from: statusLabel(context.from_status), to: statusLabel(args.to_status) });
    case "inspection.submit":
      return t("describe.inspection", {
        code,
        checklist: checklistTitle(
          { name: context.checklist_name, title_zh: context.checklist_title_zh, title_en: context.checklist_title_en },
          language(),
        ),
      });
    case "status_change.confirm":
      return t("describe.confirm", { id: str(args.request_id) });
    case "status_change.reject":
      return t("describe.reject", { id: str(args.request_id) });
    case "status_change.cancel":
      return t("describe.cancel", { id: str(args.request_id) });
    case "work_order.update":
      return t("describe.workOrder", { id: str(args.work_order_id) });
    case "photo.attach":
      return t("describe.photo", { id: str(args.target_id) });
    case "meter_reading.record":
      return t("describe.meter", { id: str(args.work_order_id) });
    default:
      return entry.summary || t("describe.other");
  }
}

/** The report screen, prefilled to redo a refused or rejected report. */
export function redoPath(code: string, to: unknown, reason: unknown): string {
  const query = new URLSearchParams();
  if (typeof to === "string" && to) query.set("to", to);
  if (typeof reason === "string" && reason) query.set("reason", reason);
  const search = query.toString();
  return `/a/${encodeURIComponent(code)}/report${search ? `?${search}` : ""}`;
}
