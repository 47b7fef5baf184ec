/**
 * "My reports": the server's list of the user's reports from every device (`GET /api/field/my-reports`),
 * kept for offline viewing, merged with what this phone has not sent yet.
 */
import { api, ApiError, NetworkError } from "./api";
import { allCached, getCached, getMeta, getSession, setMeta, storageAvailable, type OutboxEntry } from "./db";
import { describeCommand } from "./describe";
import { t } from "./i18n";
import { listOutbox } from "./outbox";

export interface MyReport {
  /** Unique in the list: server items by kind and id, local ones by op_id. */
  key: string;
  kind: "status_request" | "inspection" | "refused" | "local";
  id: number | null;
  op_id: string | null;
  asset_id: number | null;
  asset_code: string | null;
  state: string;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  decision_note: string | null;
  decided_by_name: string | null;
  message: string | null;
  submitted_at: string | null;
  captured_at: string | null;
  summary: string;
  local: boolean;
}

export interface MyReports {
  items: MyReport[];
  /** When the server's list was fetched (null: never on this phone). */
  fetched_at: number | null;
  /** The list shown is the one kept from an earlier visit (offline, or the server did not answer). */
  stale: boolean;
}

const KEPT = "my_reports";
const REPORT_COMMANDS = new Set(["status_change.request", "inspection.submit"]);
const REQUEST_STATE: Record<string, string> = { pending: "waiting" };

function text(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

/** One item of the server's answer; its summary re-rendered here where its data allow (the current language). */
export function fromServer(raw: Record<string, unknown>): MyReport {
  const kind = (text(raw.kind) ?? "status_request") as MyReport["kind"];
  const code = text(raw.asset_code);
  const from = text(raw.from_status);
  const to = text(raw.to_status);
  const summary =
    kind === "status_request" && code && to
      ? t("describe.request", { code, from: from ? t(`status.${from}`) : "?", to: t(`status.${to}`) })
      : (text(raw.summary) ?? code ?? "");
  return {
    key: `${kind}:${String(raw.id ?? raw.op_id)}`,
    kind,
    id: num(raw.id),
    op_id: text(raw.op_id),
    asset_id: num(raw.asset_id),
    asset_code: code,
    state: text(raw.state) ?? "waiting",
    from_status: from,
    to_status: to,
    reason: text(raw.reason),
    decision_note: text(raw.decision_note),
    decided_by_name: text(raw.decided_by_name),
    message: text(raw.message),
    submitted_at: text(raw.submitted_at),
    captured_at: text(raw.captured_at),
    summary,
    local: false,
  };
}

function fromOutbox(entry: OutboxEntry): MyReport {
  return {
    key: `local:${entry.op_id}`,
    kind: "local",
    id: null,
    op_id: entry.op_id,
    asset_id: num(entry.args.asset_id),
    asset_code: entry.context?.asset_code ?? null,
    state: entry.state === "refused" ? "refused" : "unsent",
    from_status: entry.context?.from_status ?? null,
    to_status: text(entry.args.to_status),
    reason: text(entry.args.reason),
    decision_note: null,
    decided_by_name: null,
    message: entry.state === "refused" ? (entry.message ?? entry.code ?? null) : null,
    submitted_at: null,
    captured_at: entry.captured_at,
    summary: describeCommand(entry),
    local: true,
  };
}

/** Without the server's list (a server before it, or never fetched): the requests the feed brought. */
async function fromCache(): Promise<MyReport[]> {
  const me = (await getSession())?.user.id;
  const own = (await allCached("cache_requests")).filter((request) => request.applicant_id === me);
  const items: MyReport[] = [];
  for (const request of own) {
    const asset = await getCached("cache_assets", Number(request.asset_id));
    items.push(
      fromServer({
        ...request,
        kind: "status_request",
        asset_code: asset?.code ?? null,
        state: REQUEST_STATE[String(request.state)] ?? request.state,
      }),
    );
  }
  return items.sort((a, b) => String(b.submitted_at).localeCompare(String(a.submitted_at)));
}

async function fetchServer(): Promise<Record<string, unknown>[] | null> {
  try {
    return await api<Record<string, unknown>[]>("/api/field/my-reports?page_size=100");
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The list to show: the server's (fetched now where possible, else as kept), unsent local reports first. */
export async function loadMyReports(): Promise<MyReports> {
  const keeps = await storageAvailable();
  let raw: Record<string, unknown>[] | null = null;
  let fetchedAt: number | null = null;
  let stale = false;
  try {
    raw = await fetchServer();
    fetchedAt = Date.now();
    if (raw && keeps) await setMeta(KEPT, { items: raw, fetched_at: fetchedAt });
  } catch (error) {
    if (!(error instanceof NetworkError || error instanceof ApiError)) throw error;
    const kept = keeps ? await getMeta<{ items: Record<string, unknown>[]; fetched_at: number }>(KEPT) : undefined;
    raw = kept?.items ?? null;
    fetchedAt = kept?.fetched_at ?? null;
    stale = true;
  }
  const server = raw ? raw.map(fromServer) : keeps ? await fromCache() : [];
  if (!keeps) return { items: server, fetched_at: fetchedAt, stale };
  const known = new Set(server.map((item) => item.op_id).filter(Boolean));
  const local = (await listOutbox())
    .filter((entry) => REPORT_COMMANDS.has(entry.name) && !known.has(entry.op_id))
    .filter((entry) => entry.state === "queued" || entry.state === "sending" || entry.state === "refused")
    .reverse()
    .map(fromOutbox);
  return { items: [...local, ...server], fetched_at: fetchedAt, stale };
}
