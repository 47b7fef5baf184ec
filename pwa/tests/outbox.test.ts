import { beforeEach, describe, expect, it } from "vitest";
import { db, putPhoto, setPhotoState } from "../src/db";
import {
  acknowledge,
  enqueue,
  listOutbox,
  pendingCount,
  prune,
  recordPulledRejection,
  releaseSending,
  renumberForNewDevice,
  settleEvidence,
  takeBatch,
  type PushResponse,
} from "../src/outbox";
import { freshDatabase } from "./reset";

const request = (assetId: number) => ({
  name: "status_change.request",
  args: { asset_id: assetId, to_status: "maintenance", base_version: 1, reason: "Leak" },
  summary: `asset ${assetId}`,
});

function answer(partial: Partial<PushResponse>): PushResponse {
  return { protocol_version: 1, results: [], last_applied_seq: 0, stopped: null, ...partial };
}

beforeEach(freshDatabase);

describe("enqueue", () => {
  it("numbers commands +1 in device order with distinct UUID op ids", async () => {
    await enqueue(request(1), request(2));
    await enqueue(request(3));
    const entries = await listOutbox();
    expect(entries.map((e) => e.device_seq)).toEqual([1, 2, 3]);
    expect(entries.map((e) => e.args.asset_id)).toEqual([1, 2, 3]);
    expect(new Set(entries.map((e) => e.op_id)).size).toBe(3);
    for (const entry of entries) {
      expect(entry.op_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(entry.state).toBe("queued");
      expect(entry.captured_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    }
  });

  it("never reuses a seq, even after the acknowledged entries are pruned", async () => {
    await enqueue(request(1), request(2));
    const batch = await takeBatch();
    await acknowledge(batch, answer({ last_applied_seq: 2 }));
    await prune(Date.now() + 2 * 24 * 3600 * 1000);
    expect(await listOutbox()).toEqual([]);
    const [next] = await enqueue(request(3));
    expect(next.device_seq).toBe(3);
  });
});

describe("takeBatch", () => {
  it("takes the head of the queue in seq order, at most 100, and marks it sending", async () => {
    await enqueue(...Array.from({ length: 120 }, (_, i) => request(i + 1)));
    const batch = await takeBatch(500);
    expect(batch).toHaveLength(100);
    expect(batch[0].device_seq).toBe(1);
    expect(batch[99].device_seq).toBe(100);
    const states = (await listOutbox()).map((e) => e.state);
    expect(states.filter((s) => s === "sending")).toHaveLength(100);
    expect(states.slice(100)).toEqual(Array(20).fill("queued"));
    expect(await pendingCount()).toBe(120);
  });

  it("puts sending entries back at the head after a dropped connection", async () => {
    await enqueue(request(1), request(2));
    await takeBatch();
    await releaseSending();
    expect((await listOutbox()).map((e) => e.state)).toEqual(["queued", "queued"]);
    expect((await takeBatch()).map((e) => e.device_seq)).toEqual([1, 2]);
  });
});

describe("acknowledge", () => {
  it("marks applied and duplicate answers as applied and keeps the result", async () => {
    await enqueue(request(1), request(2));
    const batch = await takeBatch();
    await acknowledge(
      batch,
      answer({
        results: [
          { op_id: batch[0].op_id, device_seq: 1, status: "applied", result: { id: 42, state: "pending" } },
          { op_id: batch[1].op_id, device_seq: 2, status: "duplicate" },
        ],
        last_applied_seq: 2,
      }),
    );
    const [first, second] = await listOutbox();
    expect(first.state).toBe("sent");
    expect(first.result).toEqual({ id: 42, state: "pending" });
    expect(second.state).toBe("sent");
    expect(await pendingCount()).toBe(0);
  });

  it("keeps a rejected command with the server's reason, and it no longer counts as pending", async () => {
    await enqueue(request(1), request(2));
    const batch = await takeBatch();
    await acknowledge(
      batch,
      answer({
        results: [
          {
            op_id: batch[0].op_id,
            device_seq: 1,
            status: "rejected",
            code: "stale_version",
            message: "The asset changed since you saw it.",
            fields: { base_version: ["stale"] },
          },
          { op_id: batch[1].op_id, device_seq: 2, status: "applied", result: { id: 7 } },
        ],
        last_applied_seq: 2,
      }),
    );
    const [rejected, applied] = await listOutbox();
    expect(rejected.state).toBe("refused");
    expect(rejected.code).toBe("stale_version");
    expect(rejected.message).toBe("The asset changed since you saw it.");
    expect(rejected.fields).toEqual({ base_version: ["stale"] });
    expect(applied.state).toBe("sent");
    expect(await pendingCount()).toBe(0);
  });

  it("acknowledges commands at or below last_applied_seq even without a result (a lost answer)", async () => {
    await enqueue(request(1), request(2), request(3));
    const batch = await takeBatch();
    await acknowledge(batch, answer({ results: [], last_applied_seq: 2 }));
    expect((await listOutbox()).map((e) => e.state)).toEqual(["sent", "sent", "queued"]);
    expect(await pendingCount()).toBe(1);
  });

  it("leaves everything from a transient stop queued, at the head", async () => {
    await enqueue(request(1), request(2), request(3));
    const batch = await takeBatch();
    await acknowledge(
      batch,
      answer({
        results: [{ op_id: batch[0].op_id, device_seq: 1, status: "applied" }],
        last_applied_seq: 1,
        stopped: { reason: "transient", retry_after: 5 },
      }),
    );
    expect((await listOutbox()).map((e) => e.state)).toEqual(["sent", "queued", "queued"]);
    expect((await takeBatch()).map((e) => e.device_seq)).toEqual([2, 3]);
  });

  it("leaves a gap's commands queued so the next push starts at waiting_for_seq", async () => {
    await enqueue(request(1), request(2), request(3));
    const all = await takeBatch();
    await releaseSending();
    // Only the later commands reached the server (e.g. the earlier batch was cut off before sending).
    await acknowledge(all.slice(1), answer({ last_applied_seq: 0, stopped: { reason: "gap", waiting_for_seq: 1 } }));
    expect((await listOutbox()).map((e) => e.state)).toEqual(["queued", "queued", "queued"]);
    expect((await takeBatch())[0].device_seq).toBe(1);
  });

  it("holds an accepted command as evidence_pending until its photos are uploaded, no longer counted as unsent", async () => {
    await putPhoto({ sha256: "a".repeat(64), blob: new Blob(["x"]), asset_id: 1, state: "pending", created_at: 0 });
    await enqueue({ ...request(1), photo_hashes: ["a".repeat(64)] });
    const batch = await takeBatch();
    await acknowledge(batch, answer({ results: [{ op_id: batch[0].op_id, device_seq: 1, status: "applied" }], last_applied_seq: 1 }));
    expect((await listOutbox())[0].state).toBe("evidence_pending");
    expect(await pendingCount()).toBe(0);
    await setPhotoState("a".repeat(64), "uploaded");
    await settleEvidence();
    expect((await listOutbox())[0].state).toBe("sent");
    expect(await pendingCount()).toBe(0);
  });
});

describe("pulled rejections", () => {
  it("mark the command whose answer was lost as refused, matched by seq and op id", async () => {
    const [entry] = await enqueue(request(1));
    await acknowledge(await takeBatch(), answer({ last_applied_seq: 1 }));
    await recordPulledRejection({ device_seq: 1, op_id: "someone-else", code: "conflict", message: "no" });
    expect((await listOutbox())[0].state).toBe("sent");
    await recordPulledRejection({ device_seq: 1, op_id: entry.op_id, code: "conflict", message: "Already open." });
    const [rejected] = await listOutbox();
    expect(rejected.state).toBe("refused");
    expect(rejected.message).toBe("Already open.");
  });
});

describe("prune", () => {
  it("keeps pending commands forever and drops acknowledged ones after a while", async () => {
    await enqueue(request(1), request(2));
    const [first] = await takeBatch(1);
    await acknowledge([first], answer({ results: [{ op_id: first.op_id, device_seq: 1, status: "applied" }], last_applied_seq: 1 }));
    await prune(Date.now() + 30 * 24 * 3600 * 1000);
    const left = await listOutbox();
    expect(left.map((e) => e.device_seq)).toEqual([2]);
    expect(left[0].state).toBe("queued");
    expect(await (await db()).get("meta", "device_seq")).toBe(2);
  });
});

describe("renumberForNewDevice", () => {
  it("renumbers the unanswered commands from 1 in their order and forgets the answered ones", async () => {
    const queued = await enqueue(request(1), request(2), request(3), request(4));
    const [first] = await takeBatch(1);
    await acknowledge([first], answer({ results: [{ op_id: first.op_id, device_seq: 1, status: "applied" }], last_applied_seq: 1 }));
    await takeBatch(1); // seq 2 was being sent when the token was refused
    expect(await renumberForNewDevice()).toBe(3);
    const entries = await listOutbox();
    expect(entries.map((e) => [e.device_seq, e.op_id, e.state])).toEqual([
      [1, queued[1].op_id, "queued"],
      [2, queued[2].op_id, "queued"],
      [3, queued[3].op_id, "queued"],
    ]);
    const [next] = await enqueue(request(5));
    expect(next.device_seq).toBe(4);
  });
});
