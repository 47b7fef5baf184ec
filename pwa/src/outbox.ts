/** The outbox: commands in device order, kept until the server has acknowledged each one. */
import type { IDBPTransaction } from "idb";
import { db, type CommandContext, type CommandState, type LeaseKeeperDB, type OutboxEntry } from "./db";

export const MAX_BATCH = 100;
const SENT_KEPT_MS = 24 * 60 * 60 * 1000;
const REFUSED_KEPT_MS = 7 * 24 * 60 * 60 * 1000;
/** Not yet accepted by the server: what the badge counts. */
const UNSENT_STATES: readonly CommandState[] = ["queued", "sending"];

export interface CommandResult {
  op_id: string;
  device_seq: number;
  status: "applied" | "duplicate" | "rejected";
  result?: Record<string, unknown>;
  code?: string;
  message?: string;
  fields?: Record<string, unknown>;
}

export type Stopped =
  | { reason: "gap"; waiting_for_seq: number; message?: string }
  | { reason: "transient"; retry_after: number; message?: string };

export interface PushResponse {
  protocol_version: number;
  results: CommandResult[];
  last_applied_seq: number;
  stopped: Stopped | null;
  cursor?: string;
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** Be told whenever the outbox changes (the header badge, the outbox screen). */
export function onOutboxChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(): void {
  for (const listener of listeners) listener();
}

export interface NewCommand {
  name: string;
  args: Record<string, unknown>;
  summary: string;
  photo_hashes?: string[];
  version?: number;
  captured_at?: string;
  context?: CommandContext;
}

/** The device clock with its UTC offset, as the protocol wants it. */
export function localIsoNow(date: Date = new Date()): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, "0");
  const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 19);
  return `${local}${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** Queue commands; the seq counter and the entries are written in one transaction, so no seq is reused. */
export async function enqueue(...commands: NewCommand[]): Promise<OutboxEntry[]> {
  const database = await db();
  const tx = database.transaction(["outbox", "meta", "cache_assets", "cache_checklists"], "readwrite");
  let seq = ((await tx.objectStore("meta").get("device_seq")) as number | undefined) ?? 0;
  const entries: OutboxEntry[] = [];
  for (const command of commands) {
    seq += 1;
    const context = command.context ?? (await contextOf(command.args, tx));
    const entry: OutboxEntry = {
      device_seq: seq,
      op_id: crypto.randomUUID(),
      name: command.name,
      version: command.version ?? 1,
      args: command.args,
      captured_at: command.captured_at ?? localIsoNow(),
      state: "queued",
      photo_hashes: command.photo_hashes ?? [],
      summary: command.summary,
      context,
      queued_at: Date.now(),
    };
    await tx.objectStore("outbox").add(entry);
    entries.push(entry);
  }
  await tx.objectStore("meta").put(seq, "device_seq");
  await tx.done;
  changed();
  return entries;
}

type EnqueueTx = IDBPTransaction<LeaseKeeperDB, ("outbox" | "meta" | "cache_assets" | "cache_checklists")[], "readwrite">;

/** What the cache says about the command's asset and checklist now, so its description can be re-rendered. */
async function contextOf(args: Record<string, unknown>, tx: EnqueueTx): Promise<CommandContext | undefined> {
  const context: CommandContext = {};
  if (typeof args.asset_id === "number") {
    const asset = await tx.objectStore("cache_assets").get(args.asset_id);
    if (asset) {
      context.asset_code = String(asset.code);
      context.from_status = String(asset.status);
    }
  }
  if (typeof args.checklist_id === "number") {
    const checklist = await tx.objectStore("cache_checklists").get(args.checklist_id);
    if (checklist) {
      context.checklist_name = String(checklist.name ?? "");
      context.checklist_title_zh = (checklist.title_zh as string | null | undefined) ?? null;
      context.checklist_title_en = (checklist.title_en as string | null | undefined) ?? null;
    }
  }
  return Object.keys(context).length ? context : undefined;
}

/** Every entry still shown, in device order. */
export async function listOutbox(): Promise<OutboxEntry[]> {
  return (await db()).getAll("outbox");
}

/** Not yet accepted by the server. */
export function isPending(entry: OutboxEntry): boolean {
  return UNSENT_STATES.includes(entry.state);
}

export async function pendingCount(): Promise<number> {
  return (await listOutbox()).filter(isPending).length;
}

/** The head of the queue: the first `limit` unacknowledged commands, marked `sending`. */
export async function takeBatch(limit: number = MAX_BATCH): Promise<OutboxEntry[]> {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  const batch: OutboxEntry[] = [];
  let cursor = await tx.store.openCursor();
  while (cursor && batch.length < Math.min(limit, MAX_BATCH)) {
    const entry = cursor.value;
    if (entry.state === "queued" || entry.state === "sending") {
      const sending = { ...entry, state: "sending" as const };
      await cursor.update(sending);
      batch.push(sending);
    }
    cursor = await cursor.continue();
  }
  await tx.done;
  if (batch.length) changed();
  return batch;
}

/** Put every `sending` entry back at the head (a dropped connection, a transient stop, a crash). */
export async function releaseSending(): Promise<void> {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  let touched = false;
  for (const entry of await tx.store.index("state").getAll("sending")) {
    await tx.store.put({ ...entry, state: "queued" });
    touched = true;
  }
  await tx.done;
  if (touched) changed();
}

async function uploadedHashes(hashes: string[]): Promise<Set<string>> {
  const database = await db();
  const done = new Set<string>();
  for (const hash of hashes) {
    const photo = await database.get("photos", hash);
    // A photo the phone no longer holds cannot be sent again; the server shows it as pending evidence.
    if (!photo || photo.state !== "pending") done.add(hash);
  }
  return done;
}

async function acceptedState(entry: OutboxEntry): Promise<CommandState> {
  if (!entry.photo_hashes.length) return "sent";
  const uploaded = await uploadedHashes(entry.photo_hashes);
  return entry.photo_hashes.every((hash) => uploaded.has(hash)) ? "sent" : "evidence_pending";
}

/**
 * Record the server's answer to a push of `sent`. An entry leaves the queue only when the server answered
 * for it (applied, duplicate, rejected) or its seq is at or below `last_applied_seq`; everything else goes
 * back to `queued`, at the head, for the next push.
 */
export async function acknowledge(sent: OutboxEntry[], response: PushResponse): Promise<void> {
  const bySeq = new Map(response.results.map((result) => [result.device_seq, result]));
  const now = Date.now();
  const updates: OutboxEntry[] = [];
  for (const entry of sent) {
    const answer = bySeq.get(entry.device_seq);
    if (answer?.status === "rejected") {
      updates.push({
        ...entry,
        state: "refused",
        acked_at: now,
        code: answer.code,
        message: answer.message,
        fields: answer.fields,
      });
    } else if (answer || entry.device_seq <= response.last_applied_seq) {
      updates.push({ ...entry, state: await acceptedState(entry), acked_at: now, result: answer?.result });
    } else {
      updates.push({ ...entry, state: "queued" });
    }
  }
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  // Entries at or below last_applied_seq that were not in this batch (an earlier answer was lost) go too.
  const sentSeqs = new Set(sent.map((entry) => entry.device_seq));
  for (const entry of await tx.store.getAll(IDBKeyRange.upperBound(response.last_applied_seq))) {
    if ((entry.state === "queued" || entry.state === "sending") && !sentSeqs.has(entry.device_seq)) {
      const state: CommandState = entry.photo_hashes.length ? "evidence_pending" : "sent";
      updates.push({ ...entry, state, acked_at: now });
    }
  }
  for (const update of updates) await tx.store.put(update);
  await tx.done;
  changed();
}

/** A rejection pulled from the server names a command whose answer the phone never read. */
export async function recordPulledRejection(rejection: {
  device_seq?: unknown;
  op_id?: unknown;
  code?: unknown;
  message?: unknown;
  fields?: unknown;
}): Promise<void> {
  if (typeof rejection.device_seq !== "number") return;
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  const entry = await tx.store.get(rejection.device_seq);
  if (entry && entry.op_id === rejection.op_id && entry.state !== "refused") {
    await tx.store.put({
      ...entry,
      state: "refused",
      acked_at: entry.acked_at ?? Date.now(),
      code: typeof rejection.code === "string" ? rejection.code : undefined,
      message: typeof rejection.message === "string" ? rejection.message : undefined,
      fields: (rejection.fields as Record<string, unknown> | undefined) ?? undefined,
    });
  }
  await tx.done;
  changed();
}

/** Accepted commands whose photos have all been uploaded since are no longer waiting for evidence. */
export async function settleEvidence(): Promise<void> {
  const database = await db();
  const waiting = await database.getAllFromIndex("outbox", "state", "evidence_pending");
  let touched = false;
  for (const entry of waiting) {
    const uploaded = await uploadedHashes(entry.photo_hashes);
    if (entry.photo_hashes.every((hash) => uploaded.has(hash))) {
      await database.put("outbox", { ...entry, state: "sent" });
      touched = true;
    }
  }
  if (touched) changed();
}

/** Forget acknowledged entries once they have been on show long enough. */
export async function prune(now: number = Date.now()): Promise<void> {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  let cursor = await tx.store.openCursor();
  while (cursor) {
    const { state, acked_at } = cursor.value;
    const age = acked_at === undefined ? 0 : now - acked_at;
    if ((state === "sent" && age > SENT_KEPT_MS) || (state === "refused" && age > REFUSED_KEPT_MS)) {
      await cursor.delete();
    }
    cursor = await cursor.continue();
  }
  await tx.done;
}

/**
 * A new device token (after this one was revoked) starts its seqs at 1 again: the commands not yet answered
 * are renumbered in their order; answered ones are forgotten (their photos still upload on their own).
 */
export async function renumberForNewDevice(): Promise<number> {
  const database = await db();
  const tx = database.transaction(["outbox", "meta"], "readwrite");
  const unsent = (await tx.objectStore("outbox").getAll()).filter(
    (entry) => entry.state === "queued" || entry.state === "sending",
  );
  await tx.objectStore("outbox").clear();
  let seq = 0;
  for (const entry of unsent) {
    seq += 1;
    await tx.objectStore("outbox").add({ ...entry, device_seq: seq, state: "queued" });
  }
  await tx.objectStore("meta").put(seq, "device_seq");
  await tx.done;
  changed();
  return seq;
}

/**
 * Send a refused command again as a new one (a new op_id and seq, the same data), e.g. after the asset's
 * open request was decided; the refused entry goes.
 */
export async function retryRefused(deviceSeq: number): Promise<OutboxEntry | null> {
  const database = await db();
  const tx = database.transaction(["outbox", "meta"], "readwrite");
  const refused = await tx.objectStore("outbox").get(deviceSeq);
  if (!refused || refused.state !== "refused") {
    await tx.done;
    return null;
  }
  const seq = (((await tx.objectStore("meta").get("device_seq")) as number | undefined) ?? 0) + 1;
  const entry: OutboxEntry = {
    device_seq: seq,
    op_id: crypto.randomUUID(),
    name: refused.name,
    version: refused.version,
    args: refused.args,
    captured_at: refused.captured_at,
    state: "queued",
    photo_hashes: refused.photo_hashes,
    summary: refused.summary,
    context: refused.context,
    queued_at: Date.now(),
  };
  await tx.objectStore("outbox").delete(deviceSeq);
  await tx.objectStore("outbox").add(entry);
  await tx.objectStore("meta").put(seq, "device_seq");
  await tx.done;
  changed();
  return entry;
}

/** Forget a refused command (the user gave it up, or redid it as a new report). */
export async function discardRefused(deviceSeq: number): Promise<void> {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  const entry = await tx.store.get(deviceSeq);
  if (entry?.state === "refused") await tx.store.delete(deviceSeq);
  await tx.done;
  changed();
}
