import { beforeEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import {
  auditView,
  daysBetween,
  dayOf,
  findingRowHref,
  findingRowText,
  flagWindow,
  named,
  rateChange,
  rateText,
  signalsOption,
  signalsPeriod,
  stillRunning,
  zonedInstant,
  type Flag,
  type Signals,
  type SignalsOption,
} from "../src/office/iot";
import "../src/office/messages";
import { resolve } from "../src/office/routes";

beforeEach(() => setLanguage("en"));

function flag(changes: Partial<Flag>): Flag {
  return {
    id: 1,
    kind: "vacant_consumption",
    state: "open",
    asset_id: 7,
    asset_code: "SH-LJZ-1201",
    project_id: 1,
    project_code: "SH-LJZ",
    lease_id: null,
    confidence: "0.82",
    window_from: "2027-03-03",
    window_to: "2027-03-05",
    evidence: {},
    summary: "",
    raised_at: "2027-03-06T01:00:00Z",
    updated_at: null,
    dismissed_reason: null,
    dismissed_by_id: null,
    inspection_id: null,
    ...changes,
  };
}

/** Ten days of March 2027: electricity on days 1, 2, 4 and 5 (none on the 3rd), water on the 2nd only, doors. */
function signals(changes: Partial<Signals> = {}): Signals {
  return {
    asset: { id: 7, code: "SH-LJZ-1201", name: "1201", status: "vacant", project_id: 1 },
    series: [
      { meter: "water", unit: "m3", days: [{ day: "2027-03-02", amount: "0.750" }] },
      {
        meter: "electricity",
        unit: "kWh",
        days: [
          { day: "2027-03-01", amount: "12.500" },
          { day: "2027-03-02", amount: "0.000" },
          { day: "2027-03-04", amount: "30.250" },
          { day: "2027-03-05", amount: "28.000" },
        ],
      },
    ],
    doors: [
      { day: "2027-03-04", opens: 3 },
      { day: "2027-03-09", opens: 1 },
    ],
    leases: [
      // Began before the period: shaded from its first day; the second is still running after it.
      { id: 1, number: "L-1", starts_on: "2026-03-01", ends_on: "2027-03-02" },
      { id: 2, number: "L-2", starts_on: "2027-03-08", ends_on: null },
      // Wholly before the period: not drawn.
      { id: 3, number: "L-0", starts_on: "2025-01-01", ends_on: "2025-12-31" },
    ],
    flags: [],
    viewings: [],
    devices: [],
    ...changes,
  };
}

const MARCH = { from: "2027-03-01", to: "2027-03-10" };

/** The shaded areas drawn on a panel (by whichever of its series carries them). */
function areasOn(option: SignalsOption, panel: number, kind: "lease" | "flag") {
  return option.series
    .filter((series) => series.xAxisIndex === panel)
    .flatMap((series) => series.markArea?.data ?? [])
    .filter(([start]) => start.kind === kind);
}

describe("an asset's signals as one chart", () => {
  it("puts every day of the period on the axis, a day without an amount being a gap, not a zero", () => {
    const { option } = signalsOption(signals(), MARCH);
    expect(option.xAxis[0].data).toEqual(daysBetween("2027-03-01", "2027-03-10"));
    expect(option.xAxis[0].data).toHaveLength(10);
    const [electricity, water, doors] = option.series;
    // Electricity first whatever the order of the answer, then water, then the door opens as bars.
    expect(electricity.name).toBe("Electricity (kWh)");
    expect(electricity.data).toEqual([12.5, 0, null, 30.25, 28, null, null, null, null, null]);
    expect(electricity.connectNulls).toBe(false);
    expect(water.name).toBe("Water (m³)");
    expect(water.data).toEqual([null, 0.75, null, null, null, null, null, null, null, null]);
    expect(doors.type).toBe("bar");
    expect(doors.data).toEqual([null, null, null, 3, null, null, null, null, 1, null]);
    // One panel each, on its own axes.
    expect(option.grid).toHaveLength(3);
    expect(option.series.map((series) => [series.xAxisIndex, series.yAxisIndex])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
    // The door panel's areas ride on an empty line of their own, kept out of the legend and the tooltip.
    expect(option.series[3].data.every((value) => value === null)).toBe(true);
    expect(option.series[3].tooltip?.show).toBe(false);
    expect(option.legend.data).toEqual(["Electricity (kWh)", "Water (m³)", "Door opens"]);
    expect(option.yAxis.map((axis) => axis.name)).toEqual(["kWh", "m³", "opens"]);
    expect(option.dataZoom[0].xAxisIndex).toEqual([0, 1, 2]);
  });

  it("writes the units in Chinese for a Chinese reader", () => {
    setLanguage("zh-CN");
    const { option } = signalsOption(signals(), MARCH);
    expect(option.legend.data).toEqual(["电（千瓦时）", "水（立方米）", "开门次数"]);
    expect(option.series[0].tooltip?.valueFormatter?.(30.25)).toBe("30.25 千瓦时");
    expect(option.series[0].tooltip?.valueFormatter?.(null)).toBe("无读数");
  });

  it("shades the lease periods inside the period on every panel, named on the first only", () => {
    const { option } = signalsOption(signals(), MARCH);
    for (const panel of [0, 1, 2]) {
      const leases = areasOn(option, panel, "lease");
      expect(leases.map(([start, end]) => [start.xAxis, end.xAxis])).toEqual([
        ["2027-03-01", "2027-03-02"],
        ["2027-03-08", "2027-03-10"],
      ]);
      expect(leases.map(([start]) => start.label?.show)).toEqual([panel === 0, panel === 0]);
    }
    expect(option.series[0].markArea!.data[0][0].name).toBe("Lease L-1");
  });

  it("marks each flag over its window with its kind, on the panels it concerns", () => {
    const flags = [
      flag({ id: 1, kind: "vacant_consumption", window_from: "2027-03-04", window_to: "2027-03-05", evidence: { meter: "electricity" } }),
      // Given as instants: the days in Shanghai (16:30 UTC on the 5th is already the 6th there).
      flag({ id: 2, kind: "vacant_door", window_from: "2027-03-03T18:00:00Z", window_to: "2027-03-05T16:30:00Z" }),
      // Ended before the period: not drawn.
      flag({ id: 3, kind: "no_consumption", window_from: "2027-01-01", window_to: "2027-01-31" }),
      // Reaching past the period's end: cut at its end.
      flag({ id: 4, kind: "no_consumption", window_from: "2027-03-09", window_to: "2027-04-30" }),
    ];
    const { option } = signalsOption(signals({ flags }), MARCH);
    const marked = (panel: number) => areasOn(option, panel, "flag").map(([start, end]) => [start.name, start.xAxis, end.xAxis]);
    expect(marked(0)).toEqual([
      ["Consumption while vacant", "2027-03-04", "2027-03-05"],
      ["No consumption while leased", "2027-03-09", "2027-03-10"],
    ]);
    // Without a meter named in its evidence, a consumption flag goes on every consumption meter.
    expect(marked(1)).toEqual([["No consumption while leased", "2027-03-09", "2027-03-10"]]);
    expect(marked(2)).toEqual([["Door opened while vacant", "2027-03-04", "2027-03-06"]]);
  });

  it("puts a drop in equipment use on the operating hours, and makes a panel only for what there is", () => {
    const runtime = signals({
      series: [{ meter: "runtime", unit: "h", days: [{ day: "2027-03-02", amount: "7.5" }] }],
      doors: [],
      leases: [],
      flags: [flag({ kind: "utilisation_drop", window_from: "2027-03-02", window_to: "2027-03-09" })],
    });
    const { option, height } = signalsOption(runtime, MARCH);
    expect(option.series).toHaveLength(1);
    expect(option.series[0].name).toBe("Equipment hours (h)");
    expect(option.series[0].markArea!.data.map(([start, end]) => [start.name, start.xAxis, end.xAxis])).toEqual([["Equipment use dropped", "2027-03-02", "2027-03-09"]]);
    expect(height).toBeLessThan(signalsOption(signals(), MARCH).height);
  });

  it("asks for the last 365 days by default, ending today", () => {
    expect(signalsPeriod("", "", "2027-03-10")).toEqual({ from: "2026-03-11", to: "2027-03-10" });
    expect(signalsPeriod("2027-01-01", "2027-02-28", "2027-03-10")).toEqual({ from: "2027-01-01", to: "2027-02-28" });
    expect(daysBetween("2026-03-11", "2027-03-10")).toHaveLength(365);
    expect(daysBetween("2027-03-02", "2027-03-01")).toEqual([]);
  });

  it("reads a window as days, an instant in the project's zone", () => {
    expect(dayOf("2027-03-05")).toBe("2027-03-05");
    expect(dayOf("2027-03-05T16:30:00Z")).toBe("2027-03-06");
    expect(dayOf(null)).toBeNull();
    expect(flagWindow({ window_from: "2027-03-03", window_to: "2027-03-05" })).toBe("3 Mar 2027 – 5 Mar 2027");
    expect(flagWindow({ window_from: "2027-03-03", window_to: "2027-03-03" })).toBe("3 Mar 2027");
    setLanguage("zh-CN");
    expect(flagWindow({ window_from: "2027-03-03", window_to: "2027-03-05" })).toBe("2027年3月3日至2027年3月5日");
  });
});

describe("a disagreement rate against last month's", () => {
  it("shows the rate as a percentage and the change in points, up being worse", () => {
    expect(rateText("0.1250")).toBe("12.5%");
    expect(rateChange("0.1250", "0.1000")).toEqual({ delta: "2.5", direction: "up", tone: "bad", text: "▲ 2.5 pp" });
    expect(rateChange("0.0800", "0.1000")).toEqual({ delta: "-2.0", direction: "down", tone: "good", text: "▼ 2.0 pp" });
    expect(rateChange("0.1000", "0.1000")).toMatchObject({ direction: "flat", tone: null, text: "= 0.0 pp" });
  });

  it("has nothing to compare without last month's run", () => {
    expect(rateChange("0.1250", null)).toEqual({ delta: null, direction: null, tone: null, text: "—" });
    expect(rateText(null)).toBe("—");
  });

  it("writes the points in Chinese", () => {
    setLanguage("zh-CN");
    expect(rateChange("0.3000", "0.1875").text).toBe("▲ 11.3 个百分点");
  });
});

describe("the audit's words and links", () => {
  it("names the kinds and states in both languages", () => {
    expect(named("findingKind", "maintenance_without_work_order")).toBe("In maintenance without a work order");
    expect(named("flagState", "answered")).toBe("Answered");
    setLanguage("zh-CN");
    expect(named("findingKind", "vacant_with_lease")).toBe("状态为空置，但有生效租约");
    expect(named("flagKind", "vacant_door")).toBe("空置期间有开门");
    expect(named("runState", "running")).toBe("运行中");
    // A code the catalogue does not know yet shows as it is.
    expect(named("findingKind", "something_new")).toBe("something_new");
  });

  it("opens each row behind a finding where the office app shows it", () => {
    const finding = { asset_id: 7 };
    expect(findingRowHref({ type: "lease", id: 3, label: "L-1" }, finding)).toBe("/office/leases/3");
    expect(findingRowHref({ type: "field_request", id: 9, label: "#9" }, finding)).toBe("/office/field-requests?asset_id=7");
    expect(findingRowHref({ type: "flag", id: 4, label: "#4" }, finding)).toBe("/office/assets/7#flags");
    expect(findingRowHref({ type: "unheard_of", id: 1, label: "?" }, finding)).toBeNull();
    // A flag behind a finding is named by its kind.
    expect(findingRowText({ type: "iot_flag", id: 4, label: "vacant_door" })).toBe("Flag Door opened while vacant");
    expect(findingRowText({ type: "lease", id: 3, label: "SH-LJZ-2027-0001" })).toBe("Lease SH-LJZ-2027-0001");
  });

  it("reads a run's answer as one record: the run with its overall figures, regions and projects", () => {
    const run = { id: 3, period: "2027-04", state: "done", trigger: "on_demand", done: 2, total: 2, created_at: "2027-04-30T02:00:00Z", started_at: null, finished_at: null, error: null };
    const region = { region_id: 1, region_name: "East", assets: 4, disagreeing: 1, rate: "0.2500", previous_rate: null };
    const view = auditView({ run, overall: { assets: 4, disagreeing: 1, rate: "0.2500", previous_rate: "0.5000", kinds: { vacant_with_lease: 1 } }, regions: [region], projects: [] });
    expect(view).toMatchObject({ id: 3, state: "done", assets: 4, disagreeing: 1, rate: "0.2500", previous_rate: "0.5000", kinds: { vacant_with_lease: 1 } });
    expect(view.regions).toEqual([region]);
    // Still queued: no figures yet.
    expect(auditView({ run: { ...run, state: "queued" }, overall: null })).toMatchObject({ state: "queued", rate: null, kinds: {}, regions: [], projects: [] });
  });

  it("follows a run while it is queued or running", () => {
    expect(stillRunning({ state: "queued" })).toBe(true);
    expect(stillRunning({ state: "running" })).toBe(true);
    expect(stillRunning({ state: "done" })).toBe(false);
    expect(stillRunning(null)).toBe(false);
  });

  it("opens the flags, the audit runs and one run", () => {
    expect(resolve("/office/iot/flags")?.route.path).toBe("/office/iot/flags");
    expect(resolve("/office/audits")?.route.path).toBe("/office/audits");
    expect(resolve("/office/audits/12")?.params).toEqual({ id: "12" });
    expect(resolve("/office/audits/12")?.route.permissions).toEqual(["asset:read"]);
  });

  it("books a viewing at the site's clock", () => {
    expect(zonedInstant("2027-03-01T10:00")).toBe("2027-03-01T02:00:00Z");
    expect(zonedInstant("2027-03-01T06:30", "Europe/London")).toBe("2027-03-01T06:30:00Z");
    expect(zonedInstant("2027-07-01T06:30", "Europe/London")).toBe("2027-07-01T05:30:00Z");
    expect(zonedInstant("")).toBeNull();
  });
});
