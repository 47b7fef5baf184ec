import { beforeEach, describe, expect, it } from "vitest";
import { setLanguage } from "../src/i18n";
import "../src/office/messages";
import {
  change,
  drilldownColumns,
  drilldownHref,
  figureOf,
  formatKpi,
  nextSort,
  progressOf,
  readSort,
  reportFile,
  sortGroups,
  stillRunning,
  sumDecimals,
  vacatingLease,
  type Group,
} from "../src/office/portfolio";
import { ROUTES, allowed, resolve } from "../src/office/routes";

beforeEach(() => setLanguage("en"));

describe("a KPI written by its unit", () => {
  it("shows a ratio as a percentage with one decimal, rounding half up", () => {
    expect(formatKpi("0.8500", "ratio")).toBe("85.0%");
    expect(formatKpi("0.12345", "ratio")).toBe("12.3%");
    expect(formatKpi("0.1225", "ratio")).toBe("12.3%");
    expect(formatKpi("1.0000", "ratio")).toBe("100.0%");
    expect(formatKpi("0", "ratio")).toBe("0.0%");
  });

  it("shows money with the yuan sign, days with one decimal in the reader's language, counts whole", () => {
    expect(formatKpi("12345.6", "money")).toBe("¥12,345.60");
    expect(formatKpi("45.25", "days")).toBe("45.3 days");
    expect(formatKpi("1234", "count")).toBe("1,234");
    setLanguage("zh-CN");
    expect(formatKpi("45.2", "days")).toBe("45.2 天");
  });

  it("shows a dash when there was nothing to divide by", () => {
    for (const unit of ["ratio", "money", "days", "count"] as const) {
      expect(formatKpi(null, unit)).toBe("—");
      expect(formatKpi(undefined, unit)).toBe("—");
    }
  });
});

describe("the change against another month", () => {
  it("gives a ratio's change in percentage points, exactly", () => {
    // 0.8750 - 0.8500 is 0.025 (2.5 points); in floats it would be 0.025000000000000022.
    const up = change("occupancy_units", "0.8750", "0.8500");
    expect(up).toMatchObject({ delta: "2.5", direction: "up", tone: "good", text: "▲ 2.5 pp" });
    setLanguage("zh-CN");
    expect(change("occupancy_units", "0.8000", "0.8500").text).toBe("▼ 5.0 个百分点");
  });

  it("gives money as an amount and days as days; a rise in arrears is bad news", () => {
    expect(change("arpu", "10500.00", "10000.00")).toMatchObject({ delta: "500.00", text: "▲ ¥500.00", tone: "good" });
    expect(change("vacancy_loss", "4000.00", "4250.50")).toMatchObject({ delta: "-250.50", direction: "down", tone: "good", text: "▼ ¥250.50" });
    expect(change("dso", "31.5", "30.0")).toMatchObject({ delta: "1.5", tone: "bad", text: "▲ 1.5 days" });
    expect(change("delinquency_amount", "0.2000", "0.1000").tone).toBe("bad");
  });

  it("says flat when equal, and is neutral about expiries", () => {
    expect(change("collection_rate", "0.9000", "0.9000")).toMatchObject({ delta: "0.0", direction: "flat", tone: null });
    expect(change("expiries_30", "5", "3")).toMatchObject({ delta: "2", direction: "up", tone: null, text: "▲ 2" });
  });

  it("has nothing to say when either month has no figure", () => {
    for (const [current, compared] of [
      [null, "0.5000"],
      ["0.5000", null],
      [undefined, undefined],
    ] as const) {
      expect(change("occupancy_units", current, compared)).toEqual({ delta: null, direction: null, tone: null, text: "—" });
    }
  });
});

describe("the portfolio table", () => {
  const group = (key: string, label: string, value: string | null): Group => ({
    key,
    label,
    kpis: { collection_rate: { value, numerator: "0", denominator: "0", unit: "ratio" } },
  });
  const groups = [group("1", "Beta", "0.5000"), group("2", "Alpha", null), group("3", "Gamma", "0.9000"), group("4", "Delta", "0.5000")];

  it("sorts by a KPI either way with the groups without a figure last", () => {
    expect(sortGroups(groups, "collection_rate", true).map((g) => g.label)).toEqual(["Gamma", "Beta", "Delta", "Alpha"]);
    expect(sortGroups(groups, "collection_rate", false).map((g) => g.label)).toEqual(["Beta", "Delta", "Gamma", "Alpha"]);
    // A KPI missing from every group: all last, in label order.
    expect(sortGroups(groups, "dso", true).map((g) => g.label)).toEqual(["Alpha", "Beta", "Delta", "Gamma"]);
    expect(sortGroups(groups, "label", true).map((g) => g.label)).toEqual(["Gamma", "Delta", "Beta", "Alpha"]);
    expect(groups.map((g) => g.key)).toEqual(["1", "2", "3", "4"]);
  });

  it("keeps the sort in the address: a new column starts highest first, a second click turns it round", () => {
    expect(readSort("")).toEqual({ by: "label", descending: false });
    expect(nextSort("", "dso")).toBe("-dso");
    expect(readSort(nextSort("-dso", "dso"))).toEqual({ by: "dso", descending: false });
    expect(nextSort("dso", "dso")).toBe("-dso");
    expect(nextSort("-dso", "label")).toBe("label");
  });
});

describe("the drill-down", () => {
  it("is addressed from a tile with the period and filters, from a cell with the grouping and the row", () => {
    expect(drilldownHref({ kpi: "occupancy_units", period: "2026-03", group_by: "region", filters: { city: "上海", project_id: "" } })).toBe(
      "/office/portfolio/drilldown?kpi=occupancy_units&period=2026-03&city=%E4%B8%8A%E6%B5%B7",
    );
    expect(drilldownHref({ kpi: "collection_rate", period: "2026-03", group_by: "region", group_key: "7", filters: { category: "office" } })).toBe(
      "/office/portfolio/drilldown?kpi=collection_rate&period=2026-03&group_by=region&group_key=7&category=office",
    );
    expect(resolve("/office/portfolio/drilldown")?.route.path).toBe("/office/portfolio/drilldown");
  });

  it("chooses its columns by the kinds of rows, with a kind column when they are mixed", () => {
    expect(drilldownColumns(["asset", "asset"])).toEqual(["code", "project", "status", "area", "numerator", "denominator"]);
    expect(drilldownColumns(["lease"])).toEqual(["code", "customer", "project", "ends_on", "numerator", "denominator"]);
    expect(drilldownColumns(["charge", "asset"])).toEqual(["kind", "code", "customer", "lease", "due_date", "amount", "open", "project", "status", "area", "numerator", "denominator"]);
    expect(drilldownColumns(["customer"])).toEqual(["customer", "numerator", "denominator"]);
  });

  it("adds up the rows exactly and divides as the server does", () => {
    expect(sumDecimals(["0.10", "0.20", null, "3"])).toBe("3.30");
    expect(sumDecimals([])).toBe("0");
    expect(figureOf("occupancy_units", "17", "20")).toBe("0.8500");
    expect(figureOf("occupancy_units", "2", "3")).toBe("0.6667");
    expect(figureOf("occupancy_units", "3", "0")).toBeNull();
    // DSO: open over the last 90 days' billing, times 90.
    expect(figureOf("dso", "8000.00", "24000.00")).toBe("30.0");
    // A total (no denominator) is its numerator.
    expect(figureOf("vacancy_loss", "4000", null)).toBe("4000.00");
  });
});

describe("expected vacancies and reports", () => {
  it("links a lease by its id, or searches the list by its number", () => {
    expect(vacatingLease({ id: 12, number: "SH-2026-001", ends_on: "2026-04-30", terminated: true })).toEqual({
      href: "/office/leases/12",
      label: "SH-2026-001",
      endsOn: "2026-04-30",
      terminated: true,
    });
    expect(vacatingLease("SH 2026/002").href).toBe("/office/leases?q=SH+2026%2F002");
  });

  it("polls only while a report is queued or running, and offers its files once done", () => {
    expect(stillRunning([{ id: 1, period: "2026-03", state: "done" }, { id: 2, period: "2026-03", state: "running" }])).toBe(true);
    expect(stillRunning([{ id: 1, period: "2026-03", state: "failed" }])).toBe(false);
    expect(stillRunning(null)).toBe(false);
    expect(reportFile({ id: 3, period: "2026-03", state: "running" }, "pdf")).toBeNull();
    expect(reportFile({ id: 3, period: "2026-03", state: "done", files: { xlsx: "/api/x.xlsx", pdf: null } }, "xlsx")).toBe("/api/x.xlsx");
    expect(reportFile({ id: 3, period: "2026-03", state: "done", files: { xlsx: "/api/x.xlsx", pdf: null } }, "pdf")).toBeNull();
    expect(reportFile({ id: 3, period: "2026-03", state: "done", files: { pdf: "reports/3.pdf" } }, "pdf")).toBe("/api/portfolio/reports/3/file?format=pdf");
    expect(reportFile({ id: 4, period: "2026-03", state: "done", files: {} }, "xlsx")).toBe("/api/portfolio/reports/4/file?format=xlsx");
    // Progress as the contract nests it, or flat on the record.
    expect(progressOf({ id: 5, period: "2026-03", state: "running", progress: { done: 1, total: 3 } })).toEqual({ done: 1, total: 3 });
    expect(progressOf({ id: 5, period: "2026-03", state: "running", done: 2, total: 3 })).toEqual({ done: 2, total: 3 });
    expect(progressOf({ id: 5, period: "2026-03", state: "queued" })).toEqual({ done: 0, total: 0 });
  });

  it("shows the portfolio screens only to a reader of the portfolio", () => {
    const screens = ROUTES.filter((route) => route.path.startsWith("/office/portfolio"));
    expect(screens.map((route) => route.group)).toEqual(Array(4).fill("office.group.portfolio"));
    expect(screens.every((route) => allowed(route, ["portfolio:read"]) && !allowed(route, ["lease:read"]))).toBe(true);
  });
});
