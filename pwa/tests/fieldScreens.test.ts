import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setFetch } from "../src/api";
import { flagsOf, lagParts, type Evidence } from "../src/approvals";
import {
  byFloor,
  exactHit,
  lastTurnedDown,
  normaliseFloor,
  redoHref,
  reportBlocker,
  reportPrefill,
  searchAssets,
} from "../src/assets";
import { checklistTitle, itemLabel, progressOf, splitBilingual, type ChecklistItem } from "../src/checklists";
import { getMeta, getSession, saveSession, type Cached, type OutboxEntry } from "../src/db";
import { captureFix, presenceOf, type GpsFix } from "../src/gps";
import { language, setLanguage, t } from "../src/i18n";
import { adoptProfileLocale, changeLanguage, sendPendingLanguage } from "../src/locale";
import { session } from "../src/state";
import { freshDatabase } from "./reset";

const FENCE = {
  type: "Polygon",
  coordinates: [
    [
      [121.504, 31.2325],
      [121.5065, 31.2325],
      [121.5065, 31.2345],
      [121.504, 31.2345],
      [121.504, 31.2325],
    ],
  ],
};
const project = (extra: Record<string, unknown> = {}) => ({
  id: 1,
  code: "SH-LJZ",
  geofence: FENCE,
  gps_tolerance_m: "10.0",
  gps_max_accuracy_m: "50.0",
  ...extra,
});
const fix = (latitude: number, longitude: number, accuracy_m = 8): GpsFix => ({
  latitude,
  longitude,
  accuracy_m,
  captured_at: "2026-12-07T02:00:00Z",
});
const INSIDE = fix(31.23352, 121.50521);
const OUTSIDE = fix(31.2335, 121.511);

describe("presence", () => {
  it("passes a fix inside the fence and carries it rounded", () => {
    const presence = presenceOf(fix(31.2335212345, 121.5052109876), project(), undefined);
    expect(presence).toEqual({ ok: true, gps: { ...fix(31.233521, 121.505211), accuracy_m: 8 } });
  });

  it("blocks a missing, inaccurate or outside fix where remote reports are not allowed", () => {
    expect(presenceOf(null, project(), undefined)).toEqual({ ok: false, problem: "no_fix" });
    expect(presenceOf(fix(31.23352, 121.50521, 80), project(), undefined)).toEqual({ ok: false, problem: "poor" });
    expect(presenceOf(OUTSIDE, project(), undefined)).toEqual({ ok: false, problem: "outside" });
    // Ticking "remote" does not help when the project does not allow it.
    expect(presenceOf(OUTSIDE, project(), undefined, { chosen: true, reason: "Lift broken, at the office" })).toEqual({
      ok: false,
      problem: "outside",
    });
  });

  it("checks against the asset's own fence before the project's", () => {
    const far = { geofence: { type: "Point", coordinates: [121.6, 31.3] }, geofence_radius_m: "30" };
    expect(presenceOf(INSIDE, project(), far)).toEqual({ ok: false, problem: "outside" });
  });

  it("allows a remote report with a reason of at least five characters when the project does", () => {
    const remote = project({ remote_report_allowed: true });
    expect(presenceOf(OUTSIDE, remote, undefined)).toEqual({ ok: false, problem: "outside" });
    expect(presenceOf(null, remote, undefined, { chosen: true, reason: " ab " })).toEqual({ ok: false, problem: "remote_reason" });
    expect(presenceOf(null, remote, undefined, { chosen: true, reason: "  Site closed today " })).toEqual({
      ok: true,
      gps: null,
      remote_reason: "Site closed today",
    });
    const away = presenceOf(OUTSIDE, remote, undefined, { chosen: true, reason: "Reported from the gate" });
    expect(away.ok && away.gps?.longitude).toBe(121.511);
  });
});

describe("captureFix until good enough", () => {
  it("stops at the first fix within the accuracy asked for, and stops watching", async () => {
    let cleared = false;
    let report: PositionCallback = () => undefined;
    const geolocation = {
      watchPosition: (success: PositionCallback) => ((report = success), 7),
      clearWatch: () => (cleared = true),
      getCurrentPosition: () => undefined,
    } as unknown as Geolocation;
    const at = (accuracy: number) =>
      ({ coords: { latitude: 31.2335, longitude: 121.5052, accuracy }, timestamp: 0 }) as GeolocationPosition;
    const capture = captureFix({ durationMs: 60_000, goodEnough_m: 50, geolocation });
    report(at(120));
    expect(cleared).toBe(false);
    report(at(30));
    expect((await capture).accuracy_m).toBe(30);
    expect(cleared).toBe(true);
  });

  it("keeps the best fix when the time runs out, and can be stopped", async () => {
    let report: PositionCallback = () => undefined;
    const geolocation = {
      watchPosition: (success: PositionCallback) => ((report = success), 1),
      clearWatch: () => undefined,
      getCurrentPosition: () => undefined,
    } as unknown as Geolocation;
    const at = (accuracy: number) =>
      ({ coords: { latitude: 31.2335, longitude: 121.5052, accuracy }, timestamp: 0 }) as GeolocationPosition;
    const timed = captureFix({ durationMs: 20, goodEnough_m: 10, geolocation });
    report(at(90));
    report(at(60));
    expect((await timed).accuracy_m).toBe(60);
    const controller = new AbortController();
    const stopped = captureFix({ durationMs: 60_000, goodEnough_m: 10, geolocation, signal: controller.signal });
    controller.abort();
    await expect(stopped).rejects.toThrow("Stopped");
  });
});

const asset = (id: number, code: string, floor: string | null, name = "", extra: Record<string, unknown> = {}): Cached => ({
  id,
  code,
  floor,
  name,
  project_id: 1,
  status: "vacant",
  ...extra,
});
const ASSETS = [
  asset(1, "SH-LJZ-0305", "3", "Unit 0305"),
  asset(2, "SH-LJZ-1201", "12", "Unit 1201"),
  asset(3, "SH-LJZ-1202", "12F", "Sunny corner"),
  asset(4, "SH-XH-0305", "3", "Xuhui 305", { project_id: 2 }),
  asset(5, "SH-LJZ-B101", "B1", "Storage"),
];
const PROJECTS: Cached[] = [project(), { id: 2, code: "SH-XH" }];

describe("asset search", () => {
  it("finds a code in any case, with or without its project's prefix", () => {
    expect(exactHit(searchAssets("sh-ljz-0305", ASSETS, PROJECTS))?.id).toBe(1);
    expect(exactHit(searchAssets(" SH-LJZ-0305 ", ASSETS, PROJECTS))?.id).toBe(1);
    // Two projects have a 0305: no single answer, both listed.
    const both = searchAssets("0305", ASSETS, PROJECTS);
    expect(both.slice(0, 2).map((hit) => hit.asset.id)).toEqual([1, 4]);
    expect(exactHit(both)).toBeUndefined();
    expect(exactHit(searchAssets("0305", ASSETS.slice(0, 3), PROJECTS))?.id).toBe(1);
  });

  it("reads a floor as people say it", () => {
    for (const floor of ["12F", "12楼", "12层", "12", "l12", "第12层"]) expect(normaliseFloor(floor)).toBe("12");
    expect(normaliseFloor("B1")).toBe("B1");
    expect(normaliseFloor("03")).toBe("3");
    expect(normaliseFloor("Lobby")).toBeNull();
    const twelfth = searchAssets("12楼", ASSETS, PROJECTS).map((hit) => hit.asset.id);
    expect(twelfth).toEqual([2, 3]);
    expect(searchAssets("12F", ASSETS, PROJECTS).filter((hit) => hit.match === "floor").map((hit) => hit.asset.id)).toEqual([2, 3]);
  });

  it("finds part of a unit's name", () => {
    expect(searchAssets("sunny", ASSETS, PROJECTS).map((hit) => hit.asset.id)).toEqual([3]);
    expect(searchAssets("nothing like it", ASSETS, PROJECTS)).toEqual([]);
  });

  it("groups a project's assets by floor, basements first and no floor last", () => {
    const groups = byFloor([...ASSETS.filter((a) => a.project_id === 1), asset(9, "SH-LJZ-X", null)]);
    expect(groups.map((group) => group.floor)).toEqual(["B1", "3", "12", null]);
    expect(groups[2].assets.map((a) => a.code)).toEqual(["SH-LJZ-1201", "SH-LJZ-1202"]);
  });
});

const entry = (patch: Partial<OutboxEntry>): OutboxEntry => ({
  device_seq: 1,
  op_id: "op-1",
  name: "status_change.request",
  version: 1,
  args: { asset_id: 2, to_status: "maintenance" },
  captured_at: "2026-12-07T10:00:00+08:00",
  state: "queued",
  photo_hashes: [],
  summary: "",
  queued_at: 0,
  ...patch,
});

describe("what stops a new report", () => {
  it("is a pending request of the asset", () => {
    const pending = { id: 7, asset_id: 2, state: "pending" };
    expect(reportBlocker(2, [pending], [])).toEqual({ kind: "pending", request: pending });
  });

  it("is an unsent report of the asset, or one sent whose request has not been pulled yet", () => {
    expect(reportBlocker(2, [], [entry({})])?.kind).toBe("unsent");
    expect(reportBlocker(3, [], [entry({})])).toBeNull();
    const sent = entry({ state: "sent", result: { id: 8, state: "pending" } });
    expect(reportBlocker(2, [], [sent])?.kind).toBe("unsent");
    expect(reportBlocker(2, [{ id: 8, asset_id: 2, state: "rejected" }], [sent])).toBeNull();
    expect(reportBlocker(2, [], [entry({ state: "refused" })])).toBeNull();
    expect(reportBlocker(2, [], [entry({ name: "inspection.submit" })])).toBeNull();
  });
});

describe("a request turned down and redone", () => {
  const rejected = {
    id: 5,
    asset_id: 2,
    applicant_id: 10,
    state: "rejected",
    to_status: "maintenance",
    reason: "Door lock broken",
    decision_note: "照片看不清门锁，请重拍",
    submitted_at: "2026-12-07T01:00:00Z",
  };

  it("is the user's latest request when it was rejected or expired", () => {
    expect(lastTurnedDown([rejected], 10)?.id).toBe(5);
    expect(lastTurnedDown([rejected], 11)).toBeUndefined();
    const later = { ...rejected, id: 6, state: "confirmed", submitted_at: "2026-12-07T03:00:00Z" };
    expect(lastTurnedDown([rejected, later], 10)).toBeUndefined();
    expect(lastTurnedDown([{ ...rejected, state: "expired" }], 10)?.state).toBe("expired");
  });

  it("redoes the report with its target and reason prefilled", () => {
    const href = redoHref("SH-LJZ-1202", rejected);
    expect(href).toBe("/a/SH-LJZ-1202/report?to=maintenance&reason=Door+lock+broken");
    const search = href.slice(href.indexOf("?"));
    expect(reportPrefill(search, ["reserved", "maintenance"])).toEqual({ to: "maintenance", reason: "Door lock broken" });
    // A target no longer allowed from the current status is not chosen for the user.
    expect(reportPrefill(search, ["vacant"])).toEqual({ to: "", reason: "Door lock broken" });
    expect(reportPrefill("", ["vacant"])).toEqual({ to: "", reason: "" });
  });
});

const item = (patch: Partial<ChecklistItem>): ChecklistItem => ({
  key: "door",
  label_zh: "门锁",
  label_en: "Door lock",
  kind: "pass_fail",
  required: true,
  number_min: null,
  number_max: null,
  number_unit: null,
  position: 1,
  ...patch,
});

describe("checklists in the user's language", () => {
  it("takes title_zh and title_en, else splits a bilingual name, else the name", () => {
    const bilingual = { id: 1, name: "办公单元巡检 Office unit inspection" };
    expect(splitBilingual(bilingual.name)).toEqual({ zh: "办公单元巡检", en: "Office unit inspection" });
    expect(checklistTitle(bilingual, "zh-CN")).toBe("办公单元巡检");
    expect(checklistTitle(bilingual, "en")).toBe("Office unit inspection");
    const titled = { ...bilingual, title_zh: "办公巡检", title_en: "Office check" };
    expect(checklistTitle(titled, "zh-CN")).toBe("办公巡检");
    expect(checklistTitle(titled, "en")).toBe("Office check");
    expect(checklistTitle({ id: 2, name: "Forklift daily", title_zh: null, title_en: null }, "zh-CN")).toBe("Forklift daily");
    expect(splitBilingual("Forklift 叉车")).toBeNull();
  });

  it("labels items in the user's language with the other as a fallback", () => {
    expect(itemLabel(item({}), "zh-CN")).toBe("门锁");
    expect(itemLabel(item({ label_en: "" }), "en")).toBe("门锁");
    expect(itemLabel(item({ label_en: null, label_zh: null }), "en")).toBe("door");
  });

  it("counts answers, N/A only on optional items", () => {
    const items = [item({}), item({ key: "window", required: false }), item({ key: "photo", kind: "photo", required: false })];
    expect(progressOf(items, {})).toEqual({ answered: 0, total: 3 });
    expect(progressOf(items, { door: { value: true, photos: [] }, window: { na: true, photos: [] } })).toEqual({
      answered: 2,
      total: 3,
    });
    expect(progressOf(items, { door: { na: true, photos: [] } }).answered).toBe(0);
  });
});

const evidence = (patch: Partial<Evidence>): Evidence => ({
  latitude: "31.2335",
  longitude: "121.5052",
  accuracy_m: "8",
  fence_passed: true,
  fence_distance_m: "0",
  fence_reason: null,
  plausibility_flags: [],
  photo_hashes: [],
  evidence_pending: [],
  conflict: false,
  state: "pending",
  note: null,
  ...patch,
});

describe("the evidence view", () => {
  it("flags a report without a fix as such, never as no flags", () => {
    expect(flagsOf(evidence({}))).toEqual([]);
    expect(flagsOf(evidence({ latitude: null, longitude: null, accuracy_m: null, fence_passed: false, fence_reason: "no_fix" }))).toEqual([
      "no_fix",
    ]);
    expect(flagsOf(evidence({ latitude: null, plausibility_flags: ["remote_report", "no_fix"] }))).toEqual(["remote_report", "no_fix"]);
    expect(flagsOf(evidence({ fence_passed: false, fence_reason: "outside" }))).toEqual(["outside_geofence"]);
  });

  it("has a readable label for every flag, in both languages", () => {
    for (const value of ["en", "zh-CN"] as const) {
      setLanguage(value);
      for (const flag of ["remote_report", "no_fix", "outside_geofence", "too_inaccurate", "late_upload"]) {
        expect(t(`screens.evidence.flags.${flag}`)).not.toContain("screens.");
      }
    }
    setLanguage("en");
  });

  it("says an upload lag in seconds, minutes or hours", () => {
    expect(lagParts(42)).toEqual({ unit: "seconds", n: 42 });
    expect(lagParts(600)).toEqual({ unit: "minutes", n: 10 });
    expect(lagParts(3 * 3600 + 360)).toEqual({ unit: "hours", n: 3.1 });
  });
});

describe("Chinese texts of the field screens", () => {
  it("use 米 and the full-width colon", () => {
    setLanguage("zh-CN");
    expect(t("screens.metres", { n: 12 })).toBe("12 米");
    expect(t("screens.evidence.reasonLine", { reason: "漏水" })).toBe("原因：漏水");
    expect(t("screens.inspect.progress", { answered: 2, total: 5 })).toBe("已答 2 / 5 项");
    expect(t("screens.inspect.note")).toBe("其他补充");
    const texts: string[] = [];
    const walk = (value: unknown) => {
      if (typeof value === "string") texts.push(value);
      else if (value && typeof value === "object") Object.values(value).forEach(walk);
    };
    walk({ gps: t("screens.gps.countdown", { seconds: 3 }), card: t("screens.card.decisionNote", { note: "x" }) });
    for (const text of texts) expect(text).not.toMatch(/[^\s]:|\d m\b/);
    setLanguage("en");
    expect(t("screens.inspect.progress", { answered: 2, total: 5 })).toBe("2 of 5 answered");
    expect(t("screens.inspect.note")).toBe("Anything else to add");
  });
});

describe("the language in the profile", () => {
  const calls: { method: string; body: unknown }[] = [];
  let offline = false;
  let profile = "en";

  beforeEach(async () => {
    await freshDatabase();
    calls.length = 0;
    offline = false;
    profile = "en";
    setFetch((async (_: RequestInfo | URL, init: RequestInit = {}) => {
      if (offline) throw new TypeError("Failed to fetch");
      const method = init.method ?? "GET";
      const body = init.body ? JSON.parse(String(init.body)) : null;
      calls.push({ method, body });
      if (method === "PATCH") profile = (body as { locale: string }).locale;
      return new Response(JSON.stringify({ user: { id: 1, username: "li", locale: profile }, permissions: [] }), {
        status: 200,
        headers: { "Content-Type": "application/json" },
      });
    }) as typeof fetch);
    const stored = { token: "t", device_id: 1, user: { id: 1, username: "li", locale: "en" }, permissions: [] };
    await saveSession(stored);
    session.set(stored);
    setLanguage("en");
  });

  afterEach(() => session.set(undefined));

  it("is saved with PATCH /api/auth/me", async () => {
    expect(await changeLanguage("zh-CN")).toBe("saved");
    expect(calls).toEqual([{ method: "PATCH", body: { locale: "zh_CN" } }]);
    expect(language()).toBe("zh-CN");
    expect((await getSession())?.user.locale).toBe("zh_CN");
    expect(await getMeta("pending_locale")).toBeNull();
  });

  it("is kept on the phone while offline and sent when the server answers again", async () => {
    offline = true;
    expect(await changeLanguage("zh-CN")).toBe("queued");
    expect(language()).toBe("zh-CN");
    expect(await getMeta("pending_locale")).toBe("zh-CN");
    expect(await sendPendingLanguage()).toBe(false);
    offline = false;
    expect(await sendPendingLanguage()).toBe(true);
    expect(profile).toBe("zh_CN");
    expect(await getMeta("pending_locale")).toBeNull();
  });

  it("is sent as a BCP 47 tag to a server that wants one", async () => {
    setFetch((async (_: RequestInfo | URL, init: RequestInit = {}) => {
      const locale = (JSON.parse(String(init.body)) as { locale: string }).locale;
      calls.push({ method: init.method ?? "GET", body: { locale } });
      if (locale === "zh_CN") {
        return new Response(JSON.stringify({ code: 422, errors: { json: { locale: ["Must be one of: zh-CN, en."] } } }), {
          status: 422,
          headers: { "Content-Type": "application/json" },
        });
      }
      return new Response(JSON.stringify({ user: { id: 1, username: "li", locale } }), { status: 200 });
    }) as typeof fetch);
    expect(await changeLanguage("zh-CN")).toBe("saved");
    expect(calls.map((call) => call.body)).toEqual([{ locale: "zh_CN" }, { locale: "zh-CN" }]);
    expect(language()).toBe("zh-CN");
  });

  it("is adopted from the profile at start-up (changed elsewhere)", async () => {
    profile = "zh_CN";
    await adoptProfileLocale();
    expect(language()).toBe("zh-CN");
    expect((await getSession())?.user.locale).toBe("zh_CN");
  });

  it("sends a change still waiting at start-up instead of taking the profile's", async () => {
    offline = true;
    await changeLanguage("zh-CN");
    offline = false;
    await adoptProfileLocale();
    expect(profile).toBe("zh_CN");
    expect(language()).toBe("zh-CN");
  });
});
