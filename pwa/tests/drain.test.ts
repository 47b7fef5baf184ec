import { openDB } from "idb";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setFetch, setToken } from "../src/api";
import { db, DB_NAME, getPhoto, putPhoto, requestPersistence, resetScopeCache, saveSession, setMeta } from "../src/db";
import { checklistTitle } from "../src/checklists";
import { describeCommand, displayState } from "../src/describe";
import { language, setLanguage } from "../src/i18n";
import { dismissNotice, fetchDecisionNotices, notices } from "../src/notices";
import { discardRefused, enqueue, listOutbox, retryRefused } from "../src/outbox";
import { drain, pull, push, syncNow, uploadPhotos } from "../src/sync";
import { FakeServer } from "./fakeServer";
import { freshDatabase } from "./reset";

let server: FakeServer;
let log: string[];

beforeEach(async () => {
  await freshDatabase();
  server = new FakeServer();
  log = [];
  setFetch(((input: RequestInfo | URL, init: RequestInit = {}) => {
    log.push(`${init.method ?? "GET"} ${new URL(String(input), "http://phone.test").pathname}`);
    return server.fetch(input, init);
  }) as typeof fetch);
  setToken("device-token");
  setLanguage("en");
});

afterEach(() => {
  vi.restoreAllMocks();
});

const hash = (n: number) => n.toString(16).padStart(64, "0");

async function photo(n: number, bytes = 1000) {
  await putPhoto({
    sha256: hash(n),
    blob: new Blob([new Uint8Array(bytes)]),
    thumb: new Blob(["t"]),
    size: bytes,
    asset_id: 1,
    state: "pending",
    created_at: n,
  });
}

const report = (assetId: number, photo_hashes: string[] = []) => ({
  name: "status_change.request",
  args: { asset_id: assetId, to_status: "maintenance", base_version: 1, reason: "Leak", photo_hashes },
  summary: "written in another language",
  photo_hashes,
});

describe("the drain of a long queue", () => {
  it("pushes every command before the first photo, then sends each photo in one PUT without a probe", async () => {
    for (let n = 1; n <= 5; n += 1) await photo(n);
    await enqueue(...Array.from({ length: 150 }, (_, i) => report(i + 1, i < 5 ? [hash(i + 1)] : [])));
    await syncNow();
    const firstPut = log.findIndex((line) => line.startsWith("PUT /api/photos/"));
    const lastPush = log.lastIndexOf("POST /api/sync/push");
    expect(lastPush).toBeGreaterThanOrEqual(0);
    expect(lastPush).toBeLessThan(firstPut);
    expect(log.filter((line) => line.startsWith("GET /api/photos/"))).toEqual([]);
    expect(log.filter((line) => line.startsWith("PUT /api/photos/"))).toHaveLength(5);
    expect(server.applied).toHaveLength(150);
    expect(new Set((await listOutbox()).map((entry) => entry.state))).toEqual(new Set(["sent"]));
  });

  it("files a report as evidence pending while its photos are on the way", async () => {
    await photo(1);
    await enqueue(report(1, [hash(1)]));
    server.dropPhotoPut = 1;
    await expect(syncNow()).rejects.toThrow();
    expect(server.applied).toHaveLength(1);
    expect((await listOutbox())[0].state).toBe("evidence_pending");
  });

  it("deletes a photo's bytes once the server has it and keeps its size and thumbnail", async () => {
    await photo(1, 2048);
    await uploadPhotos();
    const kept = await getPhoto(hash(1));
    expect(kept?.state).toBe("uploaded");
    expect(kept?.blob).toBeUndefined();
    expect(kept?.size).toBe(2048);
    // (fake-indexeddb keeps a Blob as a plain clone, so only its presence is checked)
    expect(kept?.thumb).toBeDefined();
  });

  it("sends at most three photos at once", async () => {
    for (let n = 1; n <= 8; n += 1) await photo(n);
    let inFlight = 0;
    let most = 0;
    setFetch((async (input: RequestInfo | URL, init: RequestInit = {}) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return server.fetch(input, init);
    }) as typeof fetch);
    await uploadPhotos();
    expect(server.photoPuts).toBe(8);
    expect(most).toBe(3);
  });

  it("resumes after a dropped connection without sending an uploaded photo again", async () => {
    for (let n = 1; n <= 4; n += 1) await photo(n);
    let puts = 0;
    setFetch((async (input: RequestInfo | URL, init: RequestInit = {}) => {
      puts += 1;
      if (puts === 3) throw new TypeError("Failed to fetch");
      return server.fetch(input, init);
    }) as typeof fetch);
    await expect(uploadPhotos(1)).rejects.toThrow();
    expect(server.photoPuts).toBe(2);
    await uploadPhotos(1);
    expect(server.photoPuts).toBe(4);
    expect(new Set(server.photos.keys())).toEqual(new Set([1, 2, 3, 4].map(hash)));
  });

  it("shows commands sent and to go, and photos and bytes done", async () => {
    for (let n = 1; n <= 3; n += 1) await photo(n, 1_000_000);
    await enqueue(report(1), report(2));
    const seen: { sent: number; left: number; photos: string }[] = [];
    const stop = drain.subscribe((p) =>
      seen.push({ sent: p.commandsSent, left: p.commandsLeft, photos: `${p.photosDone}/${p.photosTotal} ${p.bytesDone}/${p.bytesTotal}` }),
    );
    await syncNow();
    stop();
    expect(seen.some((p) => p.left === 2 && p.sent === 0)).toBe(true);
    expect(seen.some((p) => p.left === 0 && p.sent === 2)).toBe(true);
    expect(seen.map((p) => p.photos)).toContain("1/3 1000000/3000000");
    expect(seen.at(-1)?.photos).toBe("3/3 3000000/3000000");
  });

  it("does not try to sync while the browser is offline", async () => {
    vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    await enqueue(report(1));
    await syncNow();
    expect(log).toEqual([]);
  });
});

describe("refused commands", () => {
  const refuseFirst = () => {
    let first = true;
    server.rejectWhen = () => (first ? ((first = false), "conflict") : null);
  };

  it("are sent again as a new command with a new op id and the same data", async () => {
    refuseFirst();
    const [original] = await enqueue(report(7));
    await syncNow();
    expect((await listOutbox())[0].state).toBe("refused");
    const again = await retryRefused(original.device_seq);
    expect(again?.op_id).not.toBe(original.op_id);
    expect(again?.args).toEqual(original.args);
    await syncNow();
    const entries = await listOutbox();
    expect(entries.map((entry) => entry.state)).toEqual(["sent"]);
    expect(server.applied.map((command) => command.op_id)).toEqual([again?.op_id]);
  });

  it("can be discarded", async () => {
    refuseFirst();
    const [original] = await enqueue(report(7));
    await syncNow();
    await discardRefused(original.device_seq);
    expect(await listOutbox()).toEqual([]);
  });
});

describe("what an outbox entry says", () => {
  it("is rendered from its data in the current language, not the one it was queued in", async () => {
    await (await db()).put("cache_assets", { id: 3, code: "SH-LJZ-0308", status: "vacant", project_id: 1 });
    const [entry] = await enqueue(report(3));
    expect(entry.context).toEqual({ asset_code: "SH-LJZ-0308", from_status: "vacant" });
    expect(describeCommand(entry)).toBe("SH-LJZ-0308: Vacant → Maintenance");
    setLanguage("zh-CN");
    expect(describeCommand(entry)).toBe("SH-LJZ-0308：空置 → 维修中");
    expect(describeCommand(entry)).not.toContain("status_change");
  });

  it("says a sent status report waits for a manager until the pulled request is decided", async () => {
    const [entry] = await enqueue(report(1));
    await syncNow();
    const [sent] = await listOutbox();
    expect(displayState(sent)).toBe("waiting");
    expect(displayState(sent, { id: 1, state: "pending" })).toBe("waiting");
    expect(displayState(sent, { id: 1, state: "confirmed" })).toBe("confirmed");
    expect(displayState(sent, { id: 1, state: "rejected" })).toBe("rejected");
    expect(displayState({ ...entry, name: "inspection.submit", state: "sent" })).toBe("done");
  });

  it("titles a bilingual checklist in the current language", () => {
    setLanguage("zh-CN");
    expect(checklistTitle({ name: "办公单元巡检 Office unit inspection" }, language())).toBe("办公单元巡检");
    setLanguage("en");
    expect(checklistTitle({ name: "办公单元巡检 Office unit inspection" }, language())).toBe("Office unit inspection");
    expect(checklistTitle({ name: "x", title_en: "Lift check" }, language())).toBe("Lift check");
  });
});

describe("decisions reach the author", () => {
  it("a request of theirs turning rejected in the feed becomes a notice with the manager's note", async () => {
    await saveSession({ token: "t", device_id: 1, user: { id: 42, username: "inspector" }, permissions: [] });
    await (await db()).put("cache_assets", { id: 3, code: "SH-LJZ-0308", status: "vacant", project_id: 1 });
    const base = { id: 9, asset_id: 3, to_status: "maintenance", reason: "Door", applicant_id: 42 };
    server.record({ entity: "status_request", id: 9, data: { ...base, state: "pending" } });
    server.record({ entity: "status_request", id: 10, data: { ...base, id: 10, applicant_id: 7, state: "pending" } });
    await pull();
    expect(notices.get()).toEqual([]);
    server.record({ entity: "status_request", id: 9, data: { ...base, state: "rejected", decision_note: "照片看不清门锁，请重拍" } });
    server.record({ entity: "status_request", id: 10, data: { ...base, id: 10, applicant_id: 7, state: "rejected" } });
    await pull();
    expect(notices.get()).toMatchObject([{ request_id: 9, state: "rejected", asset_code: "SH-LJZ-0308", note: "照片看不清门锁，请重拍" }]);
  });
});

describe("a decision made before the phone saw the request pending", () => {
  it("is a notice when this phone filed it, and only then, and not again once dismissed", async () => {
    await saveSession({ token: "t", device_id: 1, user: { id: 42, username: "inspector" }, permissions: [] });
    await (await db()).put("cache_assets", { id: 1, code: "SH-LJZ-1201", status: "vacant", project_id: 1 });
    await enqueue({ name: "status_change.request", args: { asset_id: 1, to_status: "maintenance" }, summary: "" });
    await push();
    // The manager rejects at once: the next pull holds the request already rejected, never seen pending.
    const [{ entity: pending }] = server.changes.splice(-1);
    const filed = pending.id;
    server.record({ entity: "status_request", id: filed, data: { id: filed, asset_id: 1, applicant_id: 42, state: "rejected", decision_note: "重拍" } });
    server.record({ entity: "status_request", id: 77, data: { id: 77, asset_id: 1, applicant_id: 42, state: "rejected" } });
    await pull();
    expect(notices.get().map((decision) => [decision.request_id, decision.note])).toEqual([[filed, "重拍"]]);
    await dismissNotice(filed);
    await resetScopeCache();
    await pull();
    expect(notices.get()).toEqual([]);
  });
});

describe("storage", () => {
  it("upgrades a version 1 database: accepted commands become sent, refused ones refused, uploaded bytes go", async () => {
    const old = await openDB(DB_NAME, 1, {
      upgrade(database) {
        const outbox = database.createObjectStore("outbox", { keyPath: "device_seq" });
        outbox.createIndex("op_id", "op_id", { unique: true });
        outbox.createIndex("state", "state");
        const photos = database.createObjectStore("photos", { keyPath: "sha256" });
        photos.createIndex("state", "state");
        for (const name of ["session", "meta"]) database.createObjectStore(name);
        for (const name of ["cache_assets", "cache_requests"]) {
          database.createObjectStore(name, { keyPath: "id" }).createIndex(name === "cache_assets" ? "code" : "asset_id", name === "cache_assets" ? "code" : "asset_id");
        }
        database.createObjectStore("cache_projects", { keyPath: "id" });
        database.createObjectStore("cache_checklists", { keyPath: "id" });
        database.createObjectStore("cache_work_orders", { keyPath: "id" });
        database.createObjectStore("rejections", { keyPath: "id" });
      },
    });
    const entry = { op_id: "a", name: "status_change.request", args: {}, photo_hashes: [], summary: "", queued_at: 0 };
    await old.put("outbox", { ...entry, device_seq: 1, state: "applied" });
    await old.put("outbox", { ...entry, op_id: "b", device_seq: 2, state: "rejected" });
    await old.put("photos", { sha256: hash(1), blob: new Blob(["abc"]), asset_id: 1, state: "uploaded", created_at: 0 });
    old.close();
    expect((await listOutbox()).map((e) => e.state)).toEqual(["sent", "refused"]);
    const kept = await getPhoto(hash(1));
    expect(kept?.state).toBe("uploaded");
    expect(kept?.blob).toBeUndefined();
  });

  it("asks for persistence and, refused, says how much unsent evidence is at stake", async () => {
    await photo(1, 1_400_000);
    await photo(2, 2_100_000);
    await setMeta("x", 1);
    const persist = vi.fn(async () => false);
    vi.stubGlobal("navigator", { ...navigator, onLine: true, storage: { persist, persisted: async () => false } });
    expect(await requestPersistence()).toEqual({ granted: false, atStake: 3_500_000 });
    expect(persist).toHaveBeenCalledOnce();
    vi.unstubAllGlobals();
  });
});

describe("decisions told by the server's notifications", () => {
  it("reach the banner once, and a dismissed one stays dismissed and is read on the server", async () => {
    notices.set([]);
    const calls: string[] = [];
    setFetch((async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const path = new URL(String(input), "http://phone.test").pathname;
      calls.push(`${init.method ?? "GET"} ${path}`);
      const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
      if (path === "/api/notifications") {
        return json([
          { id: 41, kind: "status_request.decided", subject_type: "status_change_request", subject_id: 9, read_at: null },
          { id: 42, kind: "status_request.waiting", subject_type: "status_change_request", subject_id: 10, read_at: null },
        ]);
      }
      if (path === "/api/status-requests/9") {
        return json({ id: 9, state: "rejected", asset_id: 2, asset_code: "SH-LJZ-0308", decision_note: "照片看不清门锁" });
      }
      return json({});
    }) as typeof fetch);
    await fetchDecisionNotices();
    expect(notices.get().map((decision) => [decision.request_id, decision.note])).toEqual([[9, "照片看不清门锁"]]);

    await dismissNotice(9);
    expect(notices.get()).toEqual([]);
    expect(calls).toContain("POST /api/notifications/41/read");
    await fetchDecisionNotices();
    expect(notices.get()).toEqual([]);
  });
});
