import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setFetch } from "../src/api";
import { loadAsset } from "../src/assets";
import { db, getCached } from "../src/db";
import { fetchFlags, flagDay, keptFlags } from "../src/flags";
import { setLanguage } from "../src/i18n";
import { flagInAddress } from "../src/screens/Inspect";
import { freshDatabase } from "./reset";

function flag(changes: { id: number; state?: string; summary?: string }) {
  return {
    kind: "vacant_consumption",
    state: "open",
    asset_id: 7,
    asset_code: "SH-LJZ-1201",
    confidence: "0.82",
    window_from: "2027-03-03",
    window_to: "2027-03-05",
    summary: "",
    raised_at: "2027-03-06T01:00:00Z",
    inspection_id: null,
    ...changes,
  };
}

beforeEach(() => setLanguage("en"));

describe("the open flags on the phone", () => {
  beforeEach(async () => {
    await freshDatabase();
    await (await db()).put("cache_assets", { id: 7, code: "SH-LJZ-1201", project_id: 1, status: "vacant" });
  });
  afterEach(() => setFetch((...args) => fetch(...args)));

  it("keeps the server's last answer with the cached asset, for the card offline", async () => {
    const asked: string[] = [];
    setFetch(async (input) => {
      asked.push(String(input));
      const body = [
        { ...flag({ id: 5, summary: "Used 41.2 kWh over 3 days while vacant" }), evidence: { kwh: "41.2" } },
        flag({ id: 6, state: "answered" }),
      ];
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    const asset = (await getCached("cache_assets", 7))!;
    await fetchFlags(asset, () => new Date("2027-03-06T02:00:00Z"));
    expect(asked).toEqual(["/api/iot/flags?asset_id=7&state=open"]);
    const kept = keptFlags((await getCached("cache_assets", 7))!);
    // Only open flags, and only what the card shows.
    expect(kept).toEqual({
      fetched_at: "2027-03-06T02:00:00.000Z",
      flags: [{ id: 5, kind: "vacant_consumption", state: "open", summary: "Used 41.2 kWh over 3 days while vacant", window_from: "2027-03-03", window_to: "2027-03-05" }],
    });
    // Offline now: the card reads them from the cache.
    setFetch(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect((await loadAsset("SH-LJZ-1201"))?.flags?.flags.map((item) => item.id)).toEqual([5]);
  });

  it("has none to show before any answer", async () => {
    expect((await loadAsset("SH-LJZ-1201"))?.flags).toBeUndefined();
  });

  it("carries the answered flag from the address into the inspection", () => {
    expect(flagInAddress("?flag=12")).toBe(12);
    expect(flagInAddress("?flag=0")).toBeNull();
    expect(flagInAddress("?flag=12x")).toBeNull();
    expect(flagInAddress("")).toBeNull();
  });

  it("shows a window's days as written", () => {
    expect(flagDay("2027-03-03")).toBe("3 Mar 2027");
    setLanguage("zh-CN");
    expect(flagDay("2027-03-03")).toBe("2027年3月3日");
    expect(flagDay("2027-03-05T16:30:00Z", "Asia/Shanghai")).toBe("2027年3月6日");
  });
});
