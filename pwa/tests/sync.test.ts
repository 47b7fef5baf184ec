import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setFetch, setToken } from "../src/api";
import { allCached, db, getCached, getMeta, getPhoto, putPhoto } from "../src/db";
import { enqueue, listOutbox, pendingCount } from "../src/outbox";
import { BUSY_RETRY_MS, pull, push, syncNow, uploadPhotos } from "../src/sync";
import { FakeServer } from "./fakeServer";
import { freshDatabase } from "./reset";

let server: FakeServer;

beforeEach(async () => {
  await freshDatabase();
  server = new FakeServer();
  setFetch(server.fetch as typeof fetch);
  setToken("device-token");
});

const report = (assetId: number, photo_hashes: string[] = []) => ({
  name: "status_change.request",
  args: { asset_id: assetId, to_status: "maintenance", base_version: 1, reason: "Leak", photo_hashes },
  summary: `asset ${assetId}`,
  photo_hashes,
});

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

async function storePhoto(sha256: string, assetId = 1) {
  await putPhoto({ sha256, blob: new Blob(["jpeg bytes"]), asset_id: assetId, state: "pending", created_at: 0 });
}

describe("photos", () => {
  it("uploads by hash with the asset in one PUT each, a photo the server already has included (200)", async () => {
    server.photos.set(HASH_A, 1);
    await storePhoto(HASH_A);
    await storePhoto(HASH_B, 2);
    await uploadPhotos();
    expect(server.photoPuts).toBe(2);
    expect(server.photos.get(HASH_B)).toBe(2);
    expect((await getPhoto(HASH_A))?.state).toBe("uploaded");
    expect((await getPhoto(HASH_B))?.state).toBe("uploaded");
  });

  it("keeps a photo pending when its upload drops, and sends it once on the next try", async () => {
    await storePhoto(HASH_A);
    server.dropPhotoPut = 1;
    await expect(uploadPhotos()).rejects.toThrow();
    expect((await getPhoto(HASH_A))?.state).toBe("pending");
    await uploadPhotos();
    expect(server.photoPuts).toBe(1);
    expect((await getPhoto(HASH_A))?.state).toBe("uploaded");
  });

  it("pushes a report before its photos, and it is sent once they are uploaded", async () => {
    await storePhoto(HASH_A);
    await enqueue(report(1, [HASH_A]));
    await syncNow();
    expect(server.photos.has(HASH_A)).toBe(true);
    expect(server.applied).toHaveLength(1);
    expect((await listOutbox())[0].state).toBe("sent");
  });
});

describe("push", () => {
  it("sends at most 100 commands per request, in device order, with telemetry", async () => {
    await enqueue(...Array.from({ length: 230 }, (_, i) => report(i + 1)));
    const result = await push();
    expect(result.stopped).toBeNull();
    expect(server.pushes.map((batch) => batch.length)).toEqual([100, 100, 30]);
    expect(server.applied.map((c) => c.device_seq)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));
    expect(server.telemetry[0]).toMatchObject({ pending: 230 });
    expect(typeof (server.telemetry[0] as { app_version: unknown }).app_version).toBe("string");
    expect(await pendingCount()).toBe(0);
  });

  it("halves the batch when the server says the body is too large", async () => {
    await enqueue(...Array.from({ length: 40 }, (_, i) => report(i + 1)));
    server.maxCommands = 15;
    await push();
    expect(server.pushes.every((batch) => batch.length <= 15)).toBe(true);
    expect(server.applied.map((c) => c.device_seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await pendingCount()).toBe(0);
  });

  it("loses nothing and applies nothing twice when the answer is lost after the server committed", async () => {
    await enqueue(report(1), report(2), report(3));
    server.dropAfterPush = 1;
    await expect(push()).rejects.toThrow();
    expect(server.applied).toHaveLength(3);
    expect((await listOutbox()).map((e) => e.state)).toEqual(["queued", "queued", "queued"]);
    await push();
    expect(server.applied).toHaveLength(3);
    expect(server.pushes[1].map((c) => c.device_seq)).toEqual([1, 2, 3]);
    expect((await listOutbox()).map((e) => e.state)).toEqual(["sent", "sent", "sent"]);
  });

  it("keeps the queue when the connection drops before the request is sent", async () => {
    await enqueue(report(1), report(2));
    server.dropBeforePush = 1;
    await expect(push()).rejects.toThrow();
    expect(server.applied).toHaveLength(0);
    expect(await pendingCount()).toBe(2);
    await push();
    expect(server.applied.map((c) => c.device_seq)).toEqual([1, 2]);
  });

  it("stops at a transient failure and resumes from the same command", async () => {
    await enqueue(report(1), report(2), report(3));
    server.transientAt = 2;
    const first = await push();
    expect(first.stopped).toMatchObject({ reason: "transient", retry_after: 5 });
    expect((await listOutbox()).map((e) => e.state)).toEqual(["sent", "queued", "queued"]);
    await push();
    expect(server.applied.map((c) => c.device_seq)).toEqual([1, 2, 3]);
    expect(server.pushes[1].map((c) => c.device_seq)).toEqual([2, 3]);
  });

  it("drops a rejected command from the queue with its reason, and the next one still applies", async () => {
    await enqueue(report(1), report(2));
    server.rejectWhen = (command) => (command.args.asset_id === 1 ? "stale_version" : null);
    await push();
    const [rejected, applied] = await listOutbox();
    expect(rejected.state).toBe("refused");
    expect(rejected.message).toBe("Refused: stale_version");
    expect(applied.state).toBe("sent");
    expect(server.applied.map((c) => c.device_seq)).toEqual([2]);
    expect(await pendingCount()).toBe(0);
  });

  it("re-sends from waiting_for_seq after a gap answer", async () => {
    await enqueue(report(1), report(2), report(3));
    // The server has already applied 1 (its answer was lost), so the phone's head is 2.
    server.lastAppliedSeq = 1;
    const database = await db();
    await database.delete("outbox", 1);
    await push();
    expect(server.pushes[0].map((c) => c.device_seq)).toEqual([2, 3]);
    expect(await pendingCount()).toBe(0);

    // A gap the phone can fill: the server waits for 4, the queue's head is 5 after a lost local entry.
    await enqueue(report(4), report(5));
    await database.delete("outbox", 4);
    const result = await push();
    expect(result.stopped).toMatchObject({ reason: "gap", waiting_for_seq: 4 });
    expect(await pendingCount()).toBe(1);
    expect(server.applied.map((c) => c.device_seq)).not.toContain(5);
  });
});

describe("pull", () => {
  it("follows the cursor across pages, upserts and deletes per entity, and stores the cursor", async () => {
    server.record({ entity: "project", id: 1, data: { id: 1, code: "SH-LJZ", name: "Lujiazui Tower" } });
    for (let id = 1; id <= 5; id += 1) {
      server.record({ entity: "asset", id, data: { id, code: `SH-LJZ-12${id}`, project_id: 1, status: "vacant", status_version: 1 } });
    }
    server.record({ entity: "checklist", id: 9, data: { id: 9, code: "office", items: [] } });
    expect(await pull(2)).toBe(7);
    expect((await allCached("cache_assets")).map((a) => a.code)).toHaveLength(5);
    expect(await getMeta("cursor")).toBe("c7");

    server.record({ entity: "asset", id: 2, data: { id: 2, code: "SH-LJZ-122", project_id: 1, status: "leased", status_version: 2 } });
    server.record({ entity: "asset", id: 3, deleted: true });
    server.record({ entity: "project", id: 1, deleted: true });
    expect(await pull(2)).toBe(3);
    expect((await getCached("cache_assets", 2))?.status).toBe("leased");
    expect(await getCached("cache_assets", 3)).toBeUndefined();
    expect(await getCached("cache_projects", 1)).toBeUndefined();
    expect((await allCached("cache_assets")).map((a) => a.id).sort()).toEqual([1, 2, 4, 5]);
    expect(await getMeta("cursor")).toBe("c10");
  });

  it("keeps details fetched on the side across an upsert", async () => {
    server.record({ entity: "asset", id: 1, data: { id: 1, code: "A", status: "vacant", status_version: 1 } });
    await pull();
    await (await db()).put("cache_assets", { ...(await getCached("cache_assets", 1))!, _card: { lease: null } });
    server.record({ entity: "asset", id: 1, data: { id: 1, code: "A", status: "maintenance", status_version: 2 } });
    await pull();
    const asset = await getCached("cache_assets", 1);
    expect(asset?.status).toBe("maintenance");
    expect(asset?._card).toEqual({ lease: null });
  });

  it("starts a snapshot again when the server cannot read the cursor", async () => {
    server.record({ entity: "asset", id: 1, data: { id: 1, code: "A" } });
    await (await db()).put("meta", "garbage", "cursor");
    await pull();
    expect(await getMeta("cursor")).toBe("c1");
    expect(await getCached("cache_assets", 1)).toBeDefined();
  });

  it("drops the cached scope and downloads it again when the server pruned the changes after its cursor", async () => {
    server.record({ entity: "asset", id: 1, data: { id: 1, code: "A" } });
    server.record({ entity: "asset", id: 2, data: { id: 2, code: "B" } });
    await pull();
    expect(await getMeta("cursor")).toBe("c2");
    server.record({ entity: "asset", id: 2, deleted: true });
    server.record({ entity: "asset", id: 1, data: { id: 1, code: "A2" } });
    // The server keeps only the newest change rows; the deletion of asset 2 is gone from its log.
    server.changes = server.changes.filter((change) => change.seq === 4);
    server.horizon = 3;
    await pull();
    expect((await allCached("cache_assets")).map((a) => a.code)).toEqual(["A2"]);
  });

  it("applies a pulled rejection to the command whose answer was lost", async () => {
    const [entry] = await enqueue(report(1));
    server.rejectWhen = () => "conflict";
    server.dropAfterPush = 1;
    await expect(push()).rejects.toThrow();
    server.record({ entity: "rejection", id: 1, data: { id: 1, op_id: entry.op_id, device_seq: 1, code: "conflict", message: "Already open." } });
    await push();
    await pull();
    const [rejected] = await listOutbox();
    expect(rejected.state).toBe("refused");
    expect(rejected.message).toBe("Already open.");
  });
});

describe("syncNow", () => {
  it("runs one sync at a time", async () => {
    await enqueue(report(1));
    await Promise.all([syncNow(), syncNow(), syncNow()]);
    expect(server.applied).toHaveLength(1);
    expect(server.pushes.filter((batch) => batch.length > 0)).toHaveLength(1);
  });
});

describe("a busy server", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is asked again within seconds, not at the next 30 s tick, and the scope then arrives", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    server.record({ entity: "asset", id: 7, data: { code: "SH-LJZ-1201" } });
    server.busyPulls = 1;
    await expect(syncNow()).rejects.toThrow("The database is busy.");
    expect(await getCached("cache_assets", 7)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(BUSY_RETRY_MS - 100);
    expect(await getCached("cache_assets", 7)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    vi.useRealTimers();
    await vi.waitFor(async () => expect((await getCached("cache_assets", 7))?.code).toBe("SH-LJZ-1201"));
  });
});
